/** The sessions table on PGlite: open with its bounded clean-up, touch, remove one, remove a user's. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db.ts';
import { openMigratedPglite } from '../testing/pglite-template.ts';
import { SqlSessionStore } from './sql-session-store.ts';

let db: Db;
beforeAll(async () => {
  db = await openMigratedPglite();
  for (const id of ['u1', 'u2']) {
    await db.query(`INSERT INTO users (id, email, password_hash, role, display_name, created_at) VALUES ($1, $2, 'h', 'BUYER', $1, 0)`, [id, `${id}@example.test`]);
  }
}, 60_000);
afterAll(async () => {
  await db.close();
});

const session = (id: string, userId: string, at: number) => ({ id, userId, createdAt: at, lastSeenAt: at, expiresAt: at + 1_000_000 });

describe('SqlSessionStore', () => {
  it('opens, finds, touches forward only, and removes a session', async () => {
    const store = new SqlSessionStore(db);
    expect(await store.open(session('s1', 'u1', 1_000), 0, 10)).toEqual([]);
    expect(await store.find('s1')).toEqual(session('s1', 'u1', 1_000));
    expect(await store.touch('s1', 5_000)).toBe(true);
    expect(await store.touch('s1', 2_000)).toBe(true);
    expect((await store.find('s1'))?.lastSeenAt).toBe(5_000);
    expect(await store.remove('s1')).toBe(true);
    expect(await store.remove('s1')).toBe(false);
    expect(await store.find('s1')).toBeNull();
    expect(await store.touch('s1', 6_000)).toBe(false);
  });

  it("drops a user's idle, expired and surplus sessions when another opens, and removes them all at once", async () => {
    const store = new SqlSessionStore(db);
    await store.open(session('idle', 'u2', 100), 0, 10);
    await store.open({ ...session('capped', 'u2', 200), expiresAt: 900 }, 0, 10);
    expect(await store.open(session('a', 'u2', 1_000), 0, 10)).toEqual(['capped']);
    await store.open(session('b', 'u2', 1_100), 0, 10);
    expect((await store.open(session('c', 'u2', 1_200), 500, 2)).sort()).toEqual(['a', 'idle']);
    expect((await store.removeForUser('u2')).sort()).toEqual(['b', 'c']);
    expect(await store.removeForUser('u2')).toEqual([]);
  });
});
