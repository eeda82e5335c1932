import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores } from './open-stores.ts';

describe('openStores in embedded mode', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bazaary-stores-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  // Two PGlite starts on disk, one of them a fresh initdb: slow on a loaded machine (120 s below).
  it('keeps journal and snapshots in PGlite on disk across a restart, worker and in-process alike', async () => {
    const config = { dataDir, journal: { batching: true, maxBatch: 100, maxWaitMs: 0 } };
    const first = await openStores(config);
    expect(first.db.dialect).toBe('pglite');
    // The embedded default runs PGlite on a thread of its own.
    expect(first.sql.thread).not.toBeNull();
    const pending = first.journal.append('wallet:a', 0, { events: [{ type: 'Deposited', amountMinor: 500 }], commandId: 'c1', at: 1 });
    await first.snapshots.save({ key: 'wallet:a', seq: 1, version: 1, state: { balanceMinor: 500 }, at: 1 });
    // close() must let the queued append finish before the database goes away.
    await first.close();
    expect((await pending).entry.seq).toBe(1);
    expect(first.sql.counts().statements).toBeGreaterThan(0);
    expect(first.sql.counts().transactions).toBeGreaterThan(0);

    // The same files open in-process: the two modes share one on-disk format.
    const second = await openStores({ ...config, embedded: 'in-process' });
    expect(second.sql.thread).toBeNull();
    try {
      expect(await second.journal.read('wallet:a', 0, 10)).toEqual([
        { key: 'wallet:a', seq: 1, events: [{ type: 'Deposited', amountMinor: 500 }], commandId: 'c1', at: 1 },
      ]);
      expect((await second.snapshots.load('wallet:a'))?.state).toEqual({ balanceMinor: 500 });
      expect(second.journal.stats().items).toBe(0);
    } finally {
      await second.close();
    }
  }, 120_000);
});
