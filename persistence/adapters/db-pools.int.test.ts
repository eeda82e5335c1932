/**
 * The runtime's and the gateway's pools on a real PostgreSQL (DATABASE_URL; db-pools.ts): what the
 * gateway asks is answered while every connection of the runtime's pool is held.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, type Stores } from './open-stores.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') {
  console.warn('db-pools.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');
}

describe.skipIf(databaseUrl === '')('PostgreSQL pools', () => {
  let dataDir: string;
  let stores: Stores;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bazaary-pools-'));
    stores = await openStores({ databaseUrl, dataDir, databasePools: { runtime: 1, gateway: 1 }, journal: { batching: true, maxBatch: 100, maxWaitMs: 0 } });
  });

  afterAll(async () => {
    await stores?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers the gateway while the runtime pool is busy, and the runtime once it is free', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // The runtime pool's only connection, held by an open transaction.
    const holding = stores.db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      entered();
      await held;
    });
    await inside;
    let runtimeAnswered = false;
    const runtimeQuery = stores.db.query<{ one: number }>('SELECT 1 AS one').then((rows) => ((runtimeAnswered = true), rows));
    expect(await stores.gatewayDb.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    // Proof the runtime's connection really was held: its own query is still waiting.
    expect(runtimeAnswered).toBe(false);
    release();
    await holding;
    expect(await runtimeQuery).toEqual([{ one: 1 }]);
  });
});
