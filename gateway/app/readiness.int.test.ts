/**
 * /readyz's database check on a real PostgreSQL (DATABASE_URL): it asks both pools
 * (persistence/adapters/db-pools.ts), so a runtime pool that fails is seen even while the
 * gateway's answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDb } from '../../persistence/adapters/db-health.ts';
import { openStores, type Stores } from '../../persistence/adapters/open-stores.ts';
import { readinessDb } from './ports.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') {
  console.warn('readiness.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');
}

describe.skipIf(databaseUrl === '')('readiness on PostgreSQL', () => {
  let dataDir: string;
  let stores: Stores;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bazaary-readiness-'));
    stores = await openStores({ databaseUrl, dataDir, databasePools: { runtime: 1, gateway: 1 }, journal: { batching: true, maxBatch: 100, maxWaitMs: 0 } });
  });

  afterAll(async () => {
    await stores?.gatewayDb.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is ready while both pools answer, and not once the runtime pool fails, though the gateway pool still answers', async () => {
    expect(await checkDb(readinessDb(stores))).toBe('ok');
    await stores.db.close();
    expect(await checkDb(stores.gatewayDb)).toBe('ok');
    expect(await checkDb(readinessDb(stores))).not.toBe('ok');
  });
});
