/**
 * PGlite's prepared path (pglite-prepared.ts) gives what PGlite's own `query` gives: the same
 * rows for the same values, the same errors, and a transaction that stays usable when a text
 * cannot be prepared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from './db.ts';
import { createPglite, pgliteDb, pgliteOptions } from './pglite.ts';
import { literalsOf } from './pglite-prepared.ts';

let pg: PGlite;
let db: Db;

beforeAll(async () => {
  pg = await createPglite(pgliteOptions());
  db = pgliteDb(pg);
  await pg.exec(`CREATE TABLE things (id text PRIMARY KEY, n bigint, tags text[], doc jsonb, flag boolean)`);
}, 60_000);

afterAll(async () => pg.close());

const awkward = `it's a "quote", a back\\slash, {braces}, commas, and ünïcode 🛒`;

describe('prepared statements on PGlite', () => {
  it('returns what an unprepared query returns, for strings, numbers, arrays, json and nulls', async () => {
    const insert = 'INSERT INTO things (id, n, tags, doc, flag) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING *';
    const values = [
      [awkward, 9_007_199_254_740_991, [awkward, null, '', 'NULL'], JSON.stringify({ text: awkward, list: [1, 2] }), true],
      ['plain', -3, [], JSON.stringify([awkward]), null],
    ] as const;
    for (const row of values) {
      const [inserted] = await db.query(insert, row);
      const [read] = (await pg.query('SELECT * FROM things WHERE id = $1', [row[0]])).rows;
      expect(inserted).toEqual(read);
    }
    // The second call of a text runs the prepared statement; both must read the same.
    const select = 'SELECT id, n, tags, doc FROM things WHERE id = ANY($1::text[]) AND n > $2 ORDER BY id';
    for (let call = 0; call < 2; call += 1) {
      expect(await db.query(select, [[awkward, 'plain'], -10])).toEqual((await pg.query(select, [[awkward, 'plain'], -10])).rows);
    }
    const [stored] = await db.query<{ tags: unknown; doc: unknown }>('SELECT tags, doc FROM things WHERE id = $1', [awkward]);
    expect(stored).toEqual({ tags: [awkward, null, '', 'NULL'], doc: { text: awkward, list: [1, 2] } });
    const [prepared] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement LIKE $1', ['%FROM things%']);
    expect(prepared?.count).toBeGreaterThanOrEqual(2);
  });

  it('raises the database error, naming the statement the caller sent', async () => {
    const insert = 'INSERT INTO things (id) VALUES ($1)';
    await db.query(insert, ['twice']);
    const error = await db.query(insert, ['twice']).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: '23505', query: insert });
  });

  it('runs a text PREPARE refuses through query, and the transaction goes on', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO things (id) VALUES ($1)', ['in-transaction']);
      // EXPLAIN cannot be prepared: the PREPARE fails inside a savepoint, the query runs as is.
      const plan = await tx.query('EXPLAIN SELECT * FROM things WHERE id = $1', ['in-transaction']);
      expect(plan.length).toBeGreaterThan(0);
      expect(await tx.query('SELECT id FROM things WHERE id = $1', ['in-transaction'])).toEqual([{ id: 'in-transaction' }]);
    });
    expect(await db.query('SELECT id FROM things WHERE id = $1', ['in-transaction'])).toEqual([{ id: 'in-transaction' }]);
  });

  it('tries a text again after its first PREPARE could not run (an aborted transaction)', async () => {
    const text = 'SELECT $1::int * 2 AS twice';
    await db
      .transaction(async (tx) => {
        await tx.query('SELECT 1 / 0').catch(() => undefined);
        await expect(tx.query(text, [1])).rejects.toThrow();
      })
      .catch(() => undefined);
    expect(await db.query(text, [21])).toEqual([{ twice: 42 }]);
  });

  it('keeps a statement prepared inside a transaction that rolled back', async () => {
    const text = 'SELECT $1::int + 1 AS next';
    await db
      .transaction(async (tx) => {
        expect(await tx.query(text, [1])).toEqual([{ next: 2 }]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await db.query(text, [41])).toEqual([{ next: 42 }]);
  });
});

describe('literalsOf', () => {
  it('quotes each value for its parameter type', () => {
    expect(literalsOf(["o'clock", 7, null, ['a"b', 'c\\d', null], { k: 1 }, true], ['text', 'bigint', 'text', 'text[]', 'jsonb', 'boolean'])).toEqual([
      "'o''clock'",
      "'7'",
      'NULL',
      `'{"a\\"b","c\\\\d",NULL}'`,
      `'{"k":1}'`,
      "'true'",
    ]);
  });

  it('gives up on what it has no literal for, so the call runs unprepared', () => {
    expect(literalsOf([{ k: 1 }], ['text'])).toBeNull();
    expect(literalsOf(['a'], ['text[]'])).toBeNull();
    expect(literalsOf([new Uint8Array([1])], ['bytea'])).toBeNull();
    expect(literalsOf(['a\0b'], ['text'])).toBeNull();
    expect(literalsOf(['a', 'b'], ['text'])).toBeNull();
  });
});
