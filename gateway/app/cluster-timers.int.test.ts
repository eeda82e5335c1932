/**
 * Timers move with their shard (issue #16) on a real PostgreSQL server (DATABASE_URL): two
 * systems in one process, two cluster nodes, 16 shards, leases of 1.5 s, one virtual business
 * clock they share (the leases keep real time). A timer indexed while node A owned every shard
 * fires exactly once after its shard moved to B, on B, written under B's epoch, while a timer of
 * a shard that stayed fires on A; A's window lets go of the moved timer without delivering it.
 * A node whose lease was taken while it was paused (its clock frozen, so it still believes in
 * the lease) gets its timer delivery fenced, and after its next round drops the timer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, type FreshDatabase } from '../../persistence/adapters/testing/fresh-database.ts';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';
import { shardOf, shardsPlacedOn } from '../../persistence/cluster/shards.ts';
import { VirtualClock } from '../../runtime/clock.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { alarmDecider } from '../../runtime/testing/alarm.ts';
import { parseConfig } from './config.ts';
import { startSystem, type BazaarySystem, type SystemOptions } from './system.ts';
import { clusterNodeEnv } from '../testing/cluster-env.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') console.warn('cluster-timers.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');

const shardCount = 16;
const leaseTtlMs = 1_500;
const minuteMs = 60_000;

async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const startedAt = performance.now();
  while (!check()) {
    if (performance.now() - startedAt > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An alarm id whose key (`alarm:<id>`) falls in one of `shards`. */
function alarmIn(shards: readonly number[], prefix: string): string {
  for (let index = 0; ; index += 1) {
    const id = `${prefix}${index}`;
    if (shards.includes(shardOf(`alarm:${id}`, shardCount))) return id;
  }
}

describe.skipIf(databaseUrl === '')('timers of a shard that moves between two cluster nodes', () => {
  let database: FreshDatabase;
  let dataDir: string;
  const systems: BazaarySystem[] = [];
  // Noon, far from the daily analytics job's 03:00, so only the test's alarms come due.
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12));

  const startNode = async (node: string, options: Partial<SystemOptions> = {}) => {
    const port = await freePort();
    const config = parseConfig({
      ...clusterNodeEnv({ databaseUrl: database.url, node, shards: shardCount, leaseTtlMs, port }),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ANALYTICS_CRON: '0 3 * * *',
    });
    const system = await startSystem(config, { logger: silentLogger, clock, pollTimers: false, ...options });
    systems.push(system);
    return { system, alarms: system.runtime.register(alarmDecider) };
  };

  const owned = (system: BazaarySystem) => system.cluster?.ownedShards() ?? [];

  /** The epoch each timer firing of `key` was written under (its journal rows). */
  const firings = async (system: BazaarySystem, key: string) =>
    (await system.stores.db.query<{ epoch: string }>(`SELECT epoch FROM journal WHERE key = $1 AND command_id LIKE 'timer:%' ORDER BY seq`, [key])).map((row) => Number(row.epoch));

  beforeAll(async () => {
    database = await createFreshDatabase(databaseUrl, 'cluster_timers');
    dataDir = await mkdtemp(join(tmpdir(), 'bazaary-cluster-timers-'));
  });

  afterAll(async () => {
    for (const system of systems) await system.stop().catch(() => undefined);
    await database?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('fires a moved shard\'s timer once, on its new owner, and a staying one on the old', { timeout: 60_000 }, async () => {
    const a = await startNode('a');
    expect(owned(a.system)).toHaveLength(shardCount);
    // The shards B will win by rendezvous placement once it is live.
    const moving = shardsPlacedOn('b', ['a', 'b'], shardCount);
    const staying = owned(a.system).filter((shard) => !moving.includes(shard));
    const moves = alarmIn(moving, 'moves-');
    const stays = alarmIn(staying, 'stays-');
    const dueAt = clock.now() + minuteMs;
    for (const id of [moves, stays]) {
      expect(await a.alarms.ask(id, { type: 'SetAlarms', commandId: `set-${id}`, alarms: [{ timerId: 'wake', dueAt }] })).toMatchObject({ ok: true });
    }
    await a.system.processor.drain();
    await a.system.timers.tick();
    // The two alarms and the daily analytics job's timer, which is not due.
    expect(a.system.timers.windowSize()).toBe(3);

    const b = await startNode('b');
    await eventually(() => owned(b.system).length === moving.length && owned(a.system).length === staying.length, 4 * leaseTtlMs);
    clock.advance(minuteMs);
    const [onA, onB] = await Promise.all([a.system.timers.tick(), b.system.timers.tick()]);
    expect(onA).toEqual({ fired: 1, retryLater: 0 });
    expect(onB).toEqual({ fired: 1, retryLater: 0 });
    // Only the analytics timer is left, in the window of whichever node serves its shard.
    expect(a.system.timers.windowSize() + b.system.timers.windowSize()).toBe(1);

    // Each fired once, under the epoch its owner holds now: B's for the moved key.
    expect(await firings(a.system, `alarm:${moves}`)).toEqual([b.system.cluster?.heldEpochOf(`alarm:${moves}`)]);
    expect(await firings(a.system, `alarm:${stays}`)).toEqual([a.system.cluster?.heldEpochOf(`alarm:${stays}`)]);
    expect(await Promise.all([a.system.timers.tick(), b.system.timers.tick()])).toEqual([
      { fired: 0, retryLater: 0 },
      { fired: 0, retryLater: 0 },
    ]);
    expect((await a.system.timers.pending()).map((timer) => timer.targetKey).filter((key) => key.startsWith('alarm:'))).toEqual([]);
  });

  it('fences the timer delivery of a node that lost the shard while paused, and drops the timer after its next round', { timeout: 60_000 }, async () => {
    const [a, b] = systems;
    if (a === undefined || b === undefined) throw new Error('the first test leaves nodes a and b running');
    // Back to A alone, then C, whose monotonic clock can be frozen: a node that keeps believing
    // in a lease it lost.
    await b.stop();
    systems.splice(systems.indexOf(b), 1);
    await eventually(() => owned(a).length === shardCount, leaseTtlMs + 1_000);
    let frozenAt: number | null = null;
    const c = await startNode('c', { clusterMonotonicNow: () => frozenAt ?? performance.now() });
    await eventually(() => owned(c.system).length > 0 && owned(a).length + owned(c.system).length === shardCount, 4 * leaseTtlMs);
    const paused = alarmIn(owned(c.system), 'paused-');
    const key = `alarm:${paused}`;
    expect(await c.alarms.ask(paused, { type: 'SetAlarms', commandId: 'set-paused', alarms: [{ timerId: 'wake', dueAt: clock.now() + minuteMs }] })).toMatchObject({ ok: true });
    await c.system.processor.drain();
    await c.system.timers.tick();

    await c.system.cluster?.pauseLoop();
    frozenAt = performance.now();
    await eventually(() => owned(a).includes(shardOf(key, shardCount)), 3 * leaseTtlMs + 1_000);
    clock.advance(minuteMs);
    // C still serves the shard by its own clock: it delivers, decides on its memory, and the
    // fence refuses the batch, so the timer stays pending for a later tick.
    expect(await c.system.timers.tick()).toEqual({ fired: 0, retryLater: 1 });
    expect(c.system.runtime.log.stats().fencedBatches).toBeGreaterThanOrEqual(1);
    // A claimed the shard (and reloaded its window then): it fires the timer.
    expect(await a.timers.tick()).toEqual({ fired: 1, retryLater: 0 });

    // C's next round finds the lease lost; its next tick lets go of the timer.
    frozenAt = null;
    await c.system.cluster?.resumeLoop();
    expect(await c.system.timers.tick()).toEqual({ fired: 0, retryLater: 0 });
    expect(await firings(a, key)).toEqual([a.cluster?.heldEpochOf(key)]);
  });
});
