/**
 * Migration 022 turns the journal's events from jsonb into json: what was written before reads
 * back the same through the journal, and a row whose events are not an array is still refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { SqlJournal } from './sql-journal.ts';

let db: Db;

beforeAll(async () => {
  db = await openPglite();
}, 60_000);

afterAll(async () => db.close());

describe('migration 022: journal events as json', () => {
  it('keeps the entries written as jsonb, and still refuses events that are not an array', async () => {
    const migrations = await loadMigrations();
    await migrate(db, migrations.filter((migration) => migration.version < '022'));
    const events = [{ type: 'Deposited', amountMinor: 1250, note: `it's "quoted" ünïcode 🛒` }, { type: 'Noted', nested: { list: [1, 2, null] } }];
    await db.query(
      `INSERT INTO journal (position, key, seq, command_id, events, at_ms) VALUES (1, 'wallet:w1', 1, 'deposit-1', $1::jsonb, 1000)`,
      [JSON.stringify(events)],
    );
    await db.query('UPDATE journal_head SET position = 1');
    expect(await migrate(db, migrations.filter((migration) => migration.version <= '022'))).toEqual(['022']);

    const journal = new SqlJournal(db, { batching: true, maxBatch: 100, maxWaitMs: 0 });
    try {
      expect((await journal.read('wallet:w1', 0, 10)).map((entry) => entry.events)).toEqual([events]);
      await journal.commit([{ key: 'wallet:w1', seq: 2, commandId: 'deposit-2', at: 2000, events: [{ type: 'Deposited', amountMinor: 5 }] }]);
      expect((await journal.readAfter(0, 10)).map((entry) => [entry.position, entry.seq, entry.events])).toEqual([
        [1, 1, events],
        [2, 2, [{ type: 'Deposited', amountMinor: 5 }]],
      ]);
    } finally {
      await journal.close();
    }
    const [{ type } = { type: '' }] = await db.query<{ type: string }>(
      `SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'journal' AND column_name = 'events'`,
    );
    expect(type).toBe('json');
    await expect(
      db.query(`INSERT INTO journal (position, key, seq, command_id, events, at_ms) VALUES (3, 'wallet:w2', 1, 'c', '{"type":"x"}', 1)`),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
