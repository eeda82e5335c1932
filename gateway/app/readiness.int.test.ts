/**
 * PostgreSQL's two pools on a real server (DATABASE_URL; persistence/adapters/db-pools.ts): the
 * gateway is answered while every connection of the runtime's pool is held, and /readyz's
 * database check asks both, so a runtime pool that fails is seen while the gateway's answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDb } from '../../persistence/adapters/db-health.ts';
import { openStores, type Stores } from '../../persistence/adapters/open-stores.ts';
import { readinessDb } from './ports.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') {
  console.warn('readiness.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');
}

describe.skipIf(databaseUrl === '')('PostgreSQL pools and readiness', () => {
  let dataDir: string;
  let stores: Stores;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bazaary-pools-'));
    stores = await openStores({ databaseUrl, dataDir, databasePools: { runtime: 1, gateway: 1 }, journal: { batching: true, maxBatch: 100, maxWaitMs: 0 } });
  });

  afterEach(async () => {
    await stores.close();
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

  it('is ready while both pools answer, and not once the runtime pool fails, though the gateway pool still answers', async () => {
    expect(await checkDb(readinessDb(stores))).toBe('ok');
    await stores.db.close();
    expect(await checkDb(stores.gatewayDb)).toBe('ok');
    expect(await checkDb(readinessDb(stores))).not.toBe('ok');
  });
});
