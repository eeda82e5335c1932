/**
 * The snapshot port's contract suite (snapshots.ts). Every snapshot adapter's test file calls
 * `describeSnapshotContract` with a factory that returns a store over an empty table.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotStore } from './snapshots.ts';

export interface SnapshotSubject {
  /** A store holding no snapshot. */
  readonly snapshots: SnapshotStore;
  cleanup(): Promise<void>;
}

function snapshotAt(key: string, seq: number, state: unknown = { balanceMinor: seq * 100 }): Snapshot {
  return { key, seq, version: 1, state, at: 1_767_225_600_000 + seq };
}

export function describeSnapshotContract(name: string, open: () => Promise<SnapshotSubject>): void {
  describe(`Snapshot contract: ${name}`, () => {
    let subject: SnapshotSubject;
    let store: SnapshotStore;

    beforeEach(async () => {
      subject = await open();
      store = subject.snapshots;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('loads null for a key without a snapshot', async () => {
      expect(await store.load('wallet:none')).toBeNull();
    });

    it('round-trips a snapshot, nested state and version included', async () => {
      const snapshot: Snapshot = {
        key: 'order:1',
        seq: 7,
        version: 3,
        state: { status: 'PAID', lines: [{ sku: 'mug', quantity: 2, priceMinor: 1_250 }], note: `"Zoë's" 💸` },
        at: 1_767_225_600_123,
      };
      expect(await store.save(snapshot)).toBe(Buffer.byteLength(JSON.stringify(snapshot.state)));
      expect(await store.load('order:1')).toEqual(snapshot);
    });

    it('round-trips the command-id hashes a snapshot carries, and leaves them out when it has none', async () => {
      const carrying: Snapshot = { ...snapshotAt('seller:s', 4), commandIdHashes: Uint32Array.of(0, 7, 0x80000000, 0xffffffff) };
      await store.save(carrying);
      await store.save(snapshotAt('seller:t', 2));
      expect(await store.load('seller:s')).toEqual(carrying);
      const many = await store.loadMany(['seller:s', 'seller:t']);
      expect(many.get('seller:s')?.commandIdHashes).toEqual(carrying.commandIdHashes);
      expect(many.get('seller:t')).toEqual(snapshotAt('seller:t', 2));
    });

    it('keeps the latest snapshot of a key', async () => {
      await store.save(snapshotAt('wallet:a', 5));
      await store.save(snapshotAt('wallet:a', 9));
      expect(await store.load('wallet:a')).toEqual(snapshotAt('wallet:a', 9));
    });

    it('ignores a save with a seq lower than, or equal to, the stored one', async () => {
      await store.save(snapshotAt('wallet:a', 9));
      await store.save(snapshotAt('wallet:a', 5));
      await store.save(snapshotAt('wallet:a', 9, { overwritten: true }));
      expect(await store.load('wallet:a')).toEqual(snapshotAt('wallet:a', 9));
    });

    it('keeps the highest seq when saves finish out of order', async () => {
      await Promise.all([3, 8, 1, 6].map((seq) => store.save(snapshotAt('wallet:a', seq))));
      expect((await store.load('wallet:a'))?.seq).toBe(8);
    });

    it('loads many keys in one read, leaving out keys without a snapshot', async () => {
      await store.save(snapshotAt('wallet:a', 3));
      await store.save(snapshotAt('order:b', 5, { status: 'PAID' }));
      const loaded = await store.loadMany(['wallet:a', 'order:b', 'wallet:none']);
      expect([...loaded.keys()].sort()).toEqual(['order:b', 'wallet:a']);
      expect(loaded.get('order:b')).toEqual(snapshotAt('order:b', 5, { status: 'PAID' }));
      expect(loaded.get('wallet:a')?.seq).toBe(3);
      expect((await store.loadMany([])).size).toBe(0);
    });

    it('keeps keys apart', async () => {
      await store.save(snapshotAt('wallet:a', 2));
      await store.save(snapshotAt('wallet:b', 4));
      expect((await store.load('wallet:a'))?.seq).toBe(2);
      expect((await store.load('wallet:b'))?.seq).toBe(4);
    });

    it('deletes every snapshot with deleteAll', async () => {
      await store.save(snapshotAt('wallet:a', 2));
      await store.save(snapshotAt('order:b', 4));
      await store.deleteAll();
      expect(await store.load('wallet:a')).toBeNull();
      expect(await store.load('order:b')).toBeNull();
    });
  });
}
