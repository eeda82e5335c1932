/**
 * Timers move with their shard (issue #16), on PGlite: in cluster mode the index writes each
 * timer's shard, and a scheduler reads, holds and fires only the timers of the shards its node
 * serves. Ownership here is a plain set the test changes; cluster.int.test.ts runs the same with
 * real leases on two nodes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../persistence/cluster/shards.ts';
import { limits } from './limits.ts';
import { silentLogger } from './logger.ts';
import { EventProcessor } from './processor.ts';
import { alarmDecider, type AlarmSetting } from './testing/alarm.ts';
import { openHarness, type Harness } from './testing/harness.ts';
import { TimerIndex } from './timer-index.ts';
import { TimerScheduler, type TimerShards, type TimerTarget } from './timer-scheduler.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

const shardCount = 16;
const minuteMs = 60_000;

/** An alarm id whose key (`alarm:<id>`) falls in `shard`. */
function alarmIn(shard: number, prefix: string): string {
  for (let index = 0; ; index += 1) {
    const id = `${prefix}${index}`;
    if (shardOf(`alarm:${id}`, shardCount) === shard) return id;
  }
}

/** What a cluster node tells its scheduler; `owned` and `draining` are the test's to change. */
function ownership(owned: number[]) {
  const state = { owned: new Set(owned), draining: new Set<number>() };
  const shards: TimerShards = {
    shardCount,
    ownedShards: () => [...state.owned],
    servesShard: (shard) => state.owned.has(shard) && !state.draining.has(shard),
  };
  return { state, shards };
}

/** One node: a runtime, the index (cluster mode unless `indexShards` is false) and a scheduler. */
function node(shards: TimerShards | undefined, indexShards = true) {
  const runtime = harness.runtime();
  const alarms = runtime.register(alarmDecider);
  const index = new TimerIndex(harness.db, silentLogger, indexShards ? shardCount : undefined);
  const processor = new EventProcessor(harness.journal, [{ consumer: index, after: [] }], limits, silentLogger);
  const deliveries: string[] = [];
  const target: TimerTarget = {
    ask: (key, command, timeoutMs) => {
      deliveries.push(key);
      return runtime.ask(key, command, timeoutMs);
    },
  };
  const scheduler = new TimerScheduler(harness.db, target, harness.clock, limits, silentLogger, shards);
  index.onIndexed((changes) => void scheduler.refresh(changes));
  const setAlarms = async (alarmId: string, settings: readonly AlarmSetting[]) => {
    expect((await alarms.ask(alarmId, { type: 'SetAlarms', commandId: `set-${alarmId}`, alarms: settings })).ok).toBe(true);
    await processor.drain();
  };
  return { alarms, index, scheduler, deliveries, setAlarms };
}

async function timerRows(): Promise<{ id: string; shard: number | null; fired: boolean }[]> {
  const rows = await harness.db.query<{ id: string; shard: number | null; fired_at: number | null }>('SELECT id, shard, fired_at FROM timers ORDER BY id');
  return rows.map((row) => ({ id: row.id, shard: row.shard, fired: row.fired_at !== null }));
}

describe('timers in cluster mode', () => {
  it('indexes each timer with its key\'s shard, and with none outside cluster mode', async () => {
    const dueAt = harness.clock.now() + minuteMs;
    await node(undefined, false).setAlarms('plain', [{ timerId: 'x', dueAt }]);
    expect(await timerRows()).toEqual([{ id: 'alarm:plain#x', shard: null, fired: false }]);
    // A cluster node's index writes the shard itself (the older row is stamped by a cluster
    // scheduler's first read: see the last test).
    const scheduled = { type: 'TimerScheduled', timerId: 'y', dueAt, command: { type: 'Ring', timerId: 'y' } };
    await new TimerIndex(harness.db, silentLogger, shardCount).handle([{ key: 'alarm:sharded', seq: 1, commandId: 'set', at: 1, events: [scheduled] }]);
    expect(await timerRows()).toEqual([
      { id: 'alarm:plain#x', shard: null, fired: false },
      { id: 'alarm:sharded#y', shard: shardOf('alarm:sharded', shardCount), fired: false },
    ]);
  });

  it('holds and fires only the timers of the shards it serves; the others stay pending for their owner', async () => {
    const mine = alarmIn(3, 'mine-');
    const theirs = alarmIn(7, 'theirs-');
    const one = node(ownership([3]).shards);
    const dueAt = harness.clock.now() + minuteMs;
    await one.setAlarms(mine, [{ timerId: 'a', dueAt }]);
    await one.setAlarms(theirs, [{ timerId: 'b', dueAt }]);
    expect(await one.scheduler.tick()).toEqual({ fired: 0, retryLater: 0 });
    expect(one.scheduler.windowSize()).toBe(1);

    harness.clock.advance(minuteMs);
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect(one.deliveries).toEqual([`alarm:${mine}`]);
    expect(await timerRows()).toEqual([
      { id: `alarm:${mine}#a`, shard: 3, fired: true },
      { id: `alarm:${theirs}#b`, shard: 7, fired: false },
    ]);
    // The node that serves shard 7 fires it.
    const owner = node(ownership([7]).shards);
    expect(await owner.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect(owner.deliveries).toEqual([`alarm:${theirs}`]);
  });

  it('loads a gained shard\'s timers and drops a lost shard\'s timers without delivering them', async () => {
    const first = alarmIn(2, 'first-');
    const second = alarmIn(9, 'second-');
    const { state, shards } = ownership([2]);
    const one = node(shards);
    const dueAt = harness.clock.now() + minuteMs;
    await one.setAlarms(first, [{ timerId: 'a', dueAt }]);
    await one.setAlarms(second, [{ timerId: 'b', dueAt }]);
    await one.scheduler.tick();
    expect(one.scheduler.windowSize()).toBe(1);

    // A claim: the cluster node calls refresh(), and the window takes shard 9's timer.
    state.owned.add(9);
    await one.scheduler.refresh();
    expect(one.scheduler.windowSize()).toBe(2);

    // Shard 2 moves away (lost or handed off): its timer leaves memory at the next tick.
    state.owned.delete(2);
    harness.clock.advance(minuteMs);
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect(one.deliveries).toEqual([`alarm:${second}`]);
    expect(one.scheduler.windowSize()).toBe(0);
    expect((await timerRows()).filter((row) => !row.fired).map((row) => row.id)).toEqual([`alarm:${first}#a`]);
  });

  it('serves a shard again after a lapse: a shard back in its set reloads the window', async () => {
    const key = alarmIn(5, 'lapse-');
    const { state, shards } = ownership([5]);
    const one = node(shards);
    await one.setAlarms(key, [{ timerId: 'a', dueAt: harness.clock.now() + minuteMs }]);
    await one.scheduler.tick();
    // Its serving deadline passed (a slow round), then a renewal made it serve again: no claim,
    // so no refresh(); the tick notices the shard it has no timers of.
    state.owned.delete(5);
    await one.scheduler.tick();
    expect(one.scheduler.windowSize()).toBe(0);
    state.owned.add(5);
    harness.clock.advance(minuteMs);
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect(one.deliveries).toEqual([`alarm:${key}`]);
  });

  it('leaves pending a due timer whose shard stops serving between the tick\'s start and its delivery', async () => {
    const key = alarmIn(4, 'handoff-');
    const { state, shards } = ownership([4]);
    const one = node(shards);
    await one.setAlarms(key, [{ timerId: 'a', dueAt: harness.clock.now() + minuteMs }]);
    await one.scheduler.tick();
    // A handoff under way: still leased, no longer served.
    state.draining.add(4);
    harness.clock.advance(minuteMs);
    expect(await one.scheduler.tick()).toEqual({ fired: 0, retryLater: 0 });
    expect(one.deliveries).toEqual([]);
    expect(one.scheduler.windowSize()).toBe(0);
    expect(await timerRows()).toEqual([{ id: `alarm:${key}#a`, shard: 4, fired: false }]);
  });

  it('stamps timers written before cluster mode with their shard, and fires them on their owner', async () => {
    const before = node(undefined, false);
    const keys = [alarmIn(1, 'old-a-'), alarmIn(6, 'old-b-')];
    const dueAt = harness.clock.now() + minuteMs;
    for (const key of keys) await before.setAlarms(key, [{ timerId: 'a', dueAt }]);
    expect((await timerRows()).map((row) => row.shard)).toEqual([null, null]);

    const owner = node(ownership([6]).shards);
    harness.clock.advance(minuteMs);
    expect(await owner.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect(owner.deliveries).toEqual([`alarm:${keys[1]}`]);
    expect(await timerRows()).toEqual([
      { id: `alarm:${keys[0]}#a`, shard: 1, fired: false },
      { id: `alarm:${keys[1]}#a`, shard: 6, fired: true },
    ]);
  });

  it('takes a timer into the owner\'s window at once when another node\'s index wrote its row first', async () => {
    const key = alarmIn(8, 'raced-');
    const owner = node(ownership([8]).shards);
    await owner.scheduler.tick();
    expect((await owner.alarms.ask(key, { type: 'SetAlarms', commandId: 'set', alarms: [{ timerId: 'a', dueAt: harness.clock.now() + minuteMs }] })).ok).toBe(true);
    const entries = await harness.journal.readAll(null, 100);
    // Every node indexes every entry; the other node's index got there first.
    await new TimerIndex(harness.db, silentLogger, shardCount).handle(entries);
    expect(owner.scheduler.windowSize()).toBe(0);
    await owner.index.handle(entries);
    expect(owner.scheduler.windowSize()).toBe(1);
    harness.clock.advance(minuteMs);
    expect(await owner.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect(owner.deliveries).toEqual([`alarm:${key}`]);
  });
});
