/**
 * Cluster mode (issue #16) on a real PostgreSQL server (DATABASE_URL): two systems, two cluster
 * nodes, one fresh database, 16 shards, leases of 1.5 s. Together they own every shard, each
 * shard once; a command for the other node's key is refused `not_owner` naming that node; a
 * graceful stop moves a node's shards within TTL + 1 s and the survivor serves them with their
 * state replayed from the journal; a node whose lease is taken while its loop is paused (and its
 * clock frozen, so it still believes it owns the shard) gets its next batch refused as fenced,
 * its caller `unavailable`, and drops the shard at its next round.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletKey } from '../../actors/keys.ts';
import { createFreshDatabase, type FreshDatabase } from '../../persistence/adapters/testing/fresh-database.ts';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';
import { shardOf } from '../../persistence/cluster/shards.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { parseConfig } from './config.ts';
import { startSystem, type BazaarySystem, type SystemOptions } from './system.ts';
import { clusterNodeEnv } from '../testing/cluster-env.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') console.warn('cluster.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');

const shardCount = 16;
const leaseTtlMs = 1_500;

async function eventually(check: () => boolean, timeoutMs: number): Promise<number> {
  const startedAt = performance.now();
  while (!check()) {
    if (performance.now() - startedAt > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return performance.now() - startedAt;
}

function ownedBy(system: BazaarySystem): number[] {
  return system.cluster?.ownedShards() ?? [];
}

/** A wallet id whose key falls in one of `shards`. */
function walletIn(shards: readonly number[], prefix: string): string {
  for (let index = 0; ; index += 1) {
    const id = `${prefix}${index}`;
    if (shards.includes(shardOf(walletKey(id), shardCount))) return id;
  }
}

function balanceOf(inspection: unknown): number | undefined {
  return (inspection as { ok: boolean; state?: { balanceMinor?: number } }).state?.balanceMinor;
}

describe.skipIf(databaseUrl === '')('two cluster nodes on one PostgreSQL', () => {
  let database: FreshDatabase;
  let dataDir: string;
  const systems: BazaarySystem[] = [];

  const startNode = async (node: string, options: Partial<SystemOptions> = {}): Promise<BazaarySystem> => {
    const port = await freePort();
    const config = parseConfig({
      ...clusterNodeEnv({ databaseUrl: database.url, node, shards: shardCount, leaseTtlMs, port, address: `http://${node}.internal:3000` }),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    const system = await startSystem(config, { logger: silentLogger, ...options });
    systems.push(system);
    return system;
  };

  const splitBetween = (a: BazaarySystem, b: BazaarySystem) => () => {
    const both = [...ownedBy(a), ...ownedBy(b)];
    return both.length === shardCount && new Set(both).size === shardCount && ownedBy(a).length > 0 && ownedBy(b).length > 0;
  };

  beforeAll(async () => {
    database = await createFreshDatabase(databaseUrl, 'cluster');
    dataDir = await mkdtemp(join(tmpdir(), 'bazaary-cluster-'));
  });

  afterAll(async () => {
    for (const system of systems) await system.stop().catch(() => undefined);
    await database?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('splits the shards, refuses the other node\'s keys, and hands them over on a clean stop', { timeout: 60_000 }, async () => {
    const a = await startNode('a');
    // Alone, A claims every shard in its first round.
    expect(ownedBy(a)).toHaveLength(shardCount);
    const b = await startNode('b');
    await eventually(splitBetween(a, b), 4 * leaseTtlMs);
    expect(ownedBy(a).filter((shard) => ownedBy(b).includes(shard))).toEqual([]);

    const onB = walletIn(ownedBy(b), 'on-b-');
    const onA = walletIn(ownedBy(a), 'on-a-');
    expect(await b.wallets.ask(onB, { type: 'Deposit', commandId: 'fund-b', amountMinor: 700 })).toMatchObject({ ok: true });
    expect(await a.wallets.ask(onA, { type: 'Deposit', commandId: 'fund-a', amountMinor: 300 })).toMatchObject({ ok: true });
    // Both nodes' owner caches come from the lease table, refreshed every round.
    await eventually(() => a.cluster?.ownerOf(walletKey(onB))?.node === 'b', 2 * leaseTtlMs);
    // The ownership check itself (a plain ask forwards; forwarding.int.test.ts covers that).
    const refused = await a.runtime.askHere(walletKey(onB), { type: 'Deposit', commandId: 'wrong-node', amountMinor: 1 });
    expect(refused).toMatchObject({ ok: false, code: 'not_owner', owner: { node: 'b', address: 'http://b.internal:3000' } });
    expect(a.runtime.isResident(walletKey(onB))).toBe(false);

    // A clean stop of B: its shards move to A within TTL + 1 s, with B's state intact.
    const stoppedAt = performance.now();
    await b.stop();
    systems.splice(systems.indexOf(b), 1);
    await eventually(() => ownedBy(a).length === shardCount, leaseTtlMs + 1_000 - (performance.now() - stoppedAt));
    expect(balanceOf(await a.wallets.inspect(onB))).toBe(700);
    expect(await a.wallets.ask(onB, { type: 'Deposit', commandId: 'fund-b-again', amountMinor: 5 })).toMatchObject({ ok: true });
    expect(balanceOf(await a.wallets.inspect(onB))).toBe(705);
    expect(a.runtime.log.stats().fencedBatches).toBe(0);
  });

  it('fences the batch of a node whose lease was taken while it was paused, then drops the shard', { timeout: 60_000 }, async () => {
    const a = systems[0];
    if (a === undefined) throw new Error('the first test leaves node a running');
    // C's monotonic clock can be frozen: a node that keeps believing in a lease it lost.
    let frozenAt: number | null = null;
    const c = await startNode('c', { clusterMonotonicNow: () => frozenAt ?? performance.now() });
    await eventually(splitBetween(a, c), 4 * leaseTtlMs);
    const onC = walletIn(ownedBy(c), 'on-c-');
    const key = walletKey(onC);
    const shard = shardOf(key, shardCount);
    expect(await c.wallets.ask(onC, { type: 'Deposit', commandId: 'fund-c', amountMinor: 400 })).toMatchObject({ ok: true });
    expect(c.runtime.isResident(key)).toBe(true);

    await c.cluster?.pauseLoop();
    frozenAt = performance.now();
    // C's heartbeat and leases expire; A places every shard on itself and claims C's.
    await eventually(() => ownedBy(a).includes(shard), 3 * leaseTtlMs + 1_000);

    // C still thinks it serves the key: it decides on its memory, and the fence refuses the batch.
    const fenced = await c.wallets.ask(onC, { type: 'Deposit', commandId: 'too-late', amountMinor: 50 });
    expect(fenced).toMatchObject({ ok: false, code: 'unavailable' });
    expect(c.runtime.log.stats().fencedBatches).toBeGreaterThanOrEqual(1);

    // Its next round finds the lease lost: the shard stops serving and its actor is gone.
    frozenAt = null;
    await c.cluster?.resumeLoop();
    expect(c.cluster?.stats().losses).toBeGreaterThanOrEqual(1);
    expect(c.runtime.isResident(key)).toBe(false);
    expect(await c.runtime.askHere(key, { type: 'Deposit', commandId: 'after-loss', amountMinor: 1 })).toMatchObject({ ok: false, code: 'not_owner' });

    // C leaves (else A hands C's shards back); A serves the key from the journal, and the
    // fenced deposit never happened.
    await c.stop();
    systems.splice(systems.indexOf(c), 1);
    await eventually(() => ownedBy(a).length === shardCount, leaseTtlMs + 1_000);
    expect(balanceOf(await a.wallets.inspect(onC))).toBe(400);
    expect(await a.wallets.ask(onC, { type: 'Deposit', commandId: 'too-late', amountMinor: 50 })).toMatchObject({ ok: true });
    expect(balanceOf(await a.wallets.inspect(onC))).toBe(450);
  });
});
