/**
 * The Db port's contract suite (db.ts lists the conventions). Every Db implementation's test
 * file calls `describeDbContract` with a factory; the suite registers vitest blocks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { loadMigrations, migrate } from './migrate.ts';

export interface DbSubject {
  readonly db: Db;
  cleanup(): Promise<void>;
}

/** A table of the suite's own, so it never touches the application's tables. */
const probeTable = 'db_contract_probe';

export function describeDbContract(name: string, open: () => Promise<DbSubject>): void {
  describe(`Db contract: ${name}`, () => {
    let subject: DbSubject;
    let db: Db;

    beforeEach(async () => {
      subject = await open();
      db = subject.db;
      await db.query(`DROP TABLE IF EXISTS ${probeTable}`);
      await db.query(`CREATE TABLE ${probeTable} (id integer PRIMARY KEY, amount bigint, doc jsonb, label text)`);
    });

    afterEach(async () => {
      await db.query(`DROP TABLE IF EXISTS ${probeTable}`);
      await subject.cleanup();
    });

    it('binds $n parameters by position', async () => {
      await db.query(`INSERT INTO ${probeTable} (id, label) VALUES ($1, $2), ($3, $4)`, [1, 'one', 2, "it's \"two\""]);
      const rows = await db.query<{ id: number; label: string }>(
        `SELECT id, label FROM ${probeTable} WHERE id = $1 OR label = $2 ORDER BY id`,
        [1, "it's \"two\""],
      );
      expect(rows).toEqual([
        { id: 1, label: 'one' },
        { id: 2, label: "it's \"two\"" },
      ]);
    });

    it('returns a plain array of plain rows, empty when nothing matches', async () => {
      const rows = await db.query(`SELECT id FROM ${probeTable}`);
      expect(Array.isArray(rows)).toBe(true);
      expect(rows).toEqual([]);
    });

    it('returns int8 as a JS number, counts and int8 casts included', async () => {
      const maxSafe = Number.MAX_SAFE_INTEGER;
      await db.query(`INSERT INTO ${probeTable} (id, amount) VALUES (1, $1), (2, $2)`, [maxSafe - 10, -5]);
      const [row] = await db.query<{ total: unknown; rows: unknown; largest: unknown }>(
        `SELECT sum(amount)::int8 AS total, count(*) AS rows, max(amount) AS largest FROM ${probeTable}`,
      );
      expect(row).toEqual({ total: maxSafe - 15, rows: 2, largest: maxSafe - 10 });
      expect(typeof row?.rows).toBe('number');
    });

    it('refuses an int8 beyond 2^53 instead of losing precision, and stays usable', async () => {
      await expect(db.query('SELECT 9007199254740993::int8 AS x')).rejects.toThrow(RangeError);
      expect(await db.query('SELECT 1::int8 AS x')).toEqual([{ x: 1 }]);
    });

    it('round-trips jsonb passed as JSON text', async () => {
      const doc = { nested: { list: [1, -2, 3.5, null, true], quote: `'"\\`, unicode: 'Zoë 💸 日本' }, empty: {} };
      await db.query(`INSERT INTO ${probeTable} (id, doc) VALUES (1, $1::jsonb), (2, $2::jsonb)`, [
        JSON.stringify(doc),
        JSON.stringify('just a string'),
      ]);
      const rows = await db.query<{ doc: unknown }>(`SELECT doc FROM ${probeTable} ORDER BY id`);
      expect(rows).toEqual([{ doc }, { doc: 'just a string' }]);
    });

    describeTransactions(() => db);
    describeBatches(() => db);
    describeMigrate(() => db);
  });
}

function describeTransactions(dbOf: () => Db): void {
  it('commits a transaction when its function resolves', async () => {
    const db = dbOf();
    const result = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${probeTable} (id) VALUES (1)`);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await db.query(`SELECT id FROM ${probeTable}`)).toEqual([{ id: 1 }]);
  });

  it('rolls a transaction back when its function rejects, and passes the error on', async () => {
    const db = dbOf();
    const failure = new Error('boom');
    const attempt = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${probeTable} (id) VALUES (1)`);
      throw failure;
    });
    await expect(attempt).rejects.toBe(failure);
    expect(await db.query(`SELECT id FROM ${probeTable}`)).toEqual([]);
  });

  it('rolls back a failed statement inside a transaction', async () => {
    const db = dbOf();
    const attempt = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${probeTable} (id) VALUES (1)`);
      await tx.query(`INSERT INTO ${probeTable} (id) VALUES (1)`);
    });
    await expect(attempt).rejects.toThrow();
    expect(await db.query(`SELECT id FROM ${probeTable}`)).toEqual([]);
  });

  it('rolls back only a nested transaction that fails', async () => {
    const db = dbOf();
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${probeTable} (id) VALUES (1)`);
      const nested = tx.transaction(async (inner) => {
        await inner.query(`INSERT INTO ${probeTable} (id) VALUES (2)`);
        throw new Error('nested failure');
      });
      await expect(nested).rejects.toThrow('nested failure');
    });
    expect(await db.query(`SELECT id FROM ${probeTable}`)).toEqual([{ id: 1 }]);
  });
}

function describeBatches(dbOf: () => Db): void {
  const insert = (id: number) => ({ sql: `INSERT INTO ${probeTable} (id) VALUES ($1)`, params: [id] });
  const ids = async (db: Db) => (await db.query<{ id: number }>(`SELECT id FROM ${probeTable} ORDER BY id`)).map((row) => row.id);

  it('runs a batch in order, as one transaction that commits', async () => {
    const db = dbOf();
    await db.batch([insert(1), insert(2), { sql: `UPDATE ${probeTable} SET id = id + 10 WHERE id = $1`, params: [2] }]);
    expect(await ids(db)).toEqual([1, 12]);
    await db.batch([]);
    expect(await ids(db)).toEqual([1, 12]);
  });

  it('writes nothing of a batch with a failing statement, and passes the failure on', async () => {
    const db = dbOf();
    await expect(db.batch([insert(1), insert(2), insert(1), insert(3)])).rejects.toThrow();
    expect(await ids(db)).toEqual([]);
    await db.batch([insert(4)]);
    expect(await ids(db)).toEqual([4]);
  });

  it('runs a batch inside a transaction: it rolls back with it, and a failed batch only rolls back itself', async () => {
    const db = dbOf();
    await expect(
      db.transaction(async (tx) => {
        await tx.batch([insert(1)]);
        throw new Error('after the batch');
      }),
    ).rejects.toThrow('after the batch');
    expect(await ids(db)).toEqual([]);
    await db.transaction(async (tx) => {
      await tx.query(insert(5).sql, insert(5).params);
      await expect(tx.batch([insert(6), insert(5)])).rejects.toThrow();
      await tx.batch([insert(7)]);
    });
    expect(await ids(db)).toEqual([5, 7]);
  });
}

function describeMigrate(dbOf: () => Db): void {
  it('migrates once: a second migrate applies nothing', async () => {
    const db = dbOf();
    const migrations = await loadMigrations();
    await migrate(db);
    expect(await migrate(db)).toEqual([]);
    const recorded = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(recorded.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
    const tables = await db.query<{ journal: string | null; snapshots: string | null }>(
      `SELECT to_regclass('journal')::text AS journal, to_regclass('snapshots')::text AS snapshots`,
    );
    expect(tables).toEqual([{ journal: 'journal', snapshots: 'snapshots' }]);
  });
}
