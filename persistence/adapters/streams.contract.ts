/**
 * The stream readers' contract (streams.ts): the one-statement SQL reader answers exactly what
 * reading through the journal and snapshot ports answers, for keys with and without snapshots,
 * with more entries than a page, with a snapshot of another version, with a snapshot's command-id
 * hashes, and for unknown keys.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { SqlJournal } from './sql-journal.ts';
import { SqlSnapshotStore } from './sql-snapshots.ts';
import { SqlStreams } from './sql-streams.ts';
import { composedStreams } from './streams.ts';

export function describeStreamReaderContract(name: string, dbOf: () => Db): void {
  describe(`Stream readers: ${name}`, () => {
    it('reads in one statement what the journal and snapshot ports read in two', async () => {
      const db = dbOf();
      await db.query('TRUNCATE journal');
      await db.query('TRUNCATE snapshots');
      const journal = new SqlJournal(db, { batching: true, maxBatch: 500, maxWaitMs: 0 });
      const snapshots = new SqlSnapshotStore(db);
      const entry = (key: string, seq: number) => ({ key, seq, events: [{ type: 'Tested', seq }], commandId: `${key}-${seq}`, at: 1_767_225_600_000 + seq });
      const write = (key: string, count: number) => journal.commit(Array.from({ length: count }, (_, index) => entry(key, index + 1)));
      await write('streams:snapshot-and-tail', 9);
      await write('streams:snapshot-only', 4);
      await write('streams:long', 12);
      await write('streams:old-version', 3);
      await snapshots.save({ key: 'streams:snapshot-and-tail', seq: 5, version: 2, state: { total: 5, nested: { list: [1, 2] } }, at: 5 });
      await snapshots.save({ key: 'streams:snapshot-only', seq: 4, version: 2, state: { total: 4 }, at: 4, commandIdHashes: Uint32Array.of(3, 0xfffffffe) });
      await snapshots.save({ key: 'streams:old-version', seq: 2, version: 1, state: { legacy: true }, at: 2 });
      const keys = ['streams:snapshot-and-tail', 'streams:snapshot-only', 'streams:long', 'streams:old-version', 'streams:unknown'];

      const oneStatement = await new SqlStreams(db).loadStreams(keys, 5);
      const twoReads = await composedStreams(journal, snapshots).loadStreams(keys, 5);
      expect(oneStatement).toEqual(twoReads);
      expect(oneStatement.get('streams:snapshot-and-tail')?.entries.map((read) => read.seq)).toEqual([6, 7, 8, 9]);
      expect(oneStatement.get('streams:snapshot-and-tail')?.snapshot).toMatchObject({ seq: 5, version: 2, state: { total: 5, nested: { list: [1, 2] } } });
      expect(oneStatement.get('streams:snapshot-only')).toMatchObject({ snapshot: { seq: 4, commandIdHashes: Uint32Array.of(3, 0xfffffffe) }, entries: [] });
      expect(oneStatement.get('streams:long')?.entries.map((read) => read.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(oneStatement.get('streams:long')?.entries[0]).toEqual(entry('streams:long', 1));
      expect(oneStatement.get('streams:old-version')).toMatchObject({ snapshot: { seq: 2, version: 1 }, entries: [{ seq: 3 }] });
      expect(oneStatement.get('streams:unknown')).toEqual({ snapshot: null, entries: [] });
      expect(await new SqlStreams(db).loadStreams([], 5)).toEqual(new Map());
      await journal.close();
    });
  });
}
