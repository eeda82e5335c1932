import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../persistence/adapters/db.ts';
import { countingDb } from '../persistence/adapters/counting-db.ts';
import { failure } from './ask.ts';
import { limits, type Limits } from './limits.ts';
import { silentLogger } from './logger.ts';
import { EventProcessor } from './processor.ts';
import type { ActorRuntime } from './runtime.ts';
import { alarmDecider, type AlarmSetting, type AlarmState } from './testing/alarm.ts';
import { eventually } from './testing/controlled-journal.ts';
import { openHarness, type Harness } from './testing/harness.ts';
import { TimerIndex } from './timer-index.ts';
import { TimerScheduler, type TimerTarget } from './timer-scheduler.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

const hourMs = 3_600_000;

/**
 * One node as system.ts will wire it: a runtime, the event processor with the timer index, and
 * a scheduler the index refreshes. `deliveries` records every message the scheduler sends, and
 * `failNext` makes the next deliveries fail transiently without reaching the actor.
 */
function node(overrides: Partial<Limits> = {}, schedulerDb: Db = harness.db) {
  const runtime = harness.runtime();
  const alarms = runtime.register(alarmDecider);
  const index = new TimerIndex(harness.db, silentLogger);
  const processor = new EventProcessor(harness.journal, [{ consumer: index, after: [] }], limits, silentLogger);
  const deliveries: string[] = [];
  const faults = { failNext: 0 };
  const target: TimerTarget = {
    ask: (key, command, timeoutMs) => {
      deliveries.push(`${key} ${JSON.stringify(command)}`);
      if (faults.failNext > 0) {
        faults.failNext -= 1;
        return Promise.resolve(failure('overloaded', 'injected'));
      }
      return runtime.ask(key, command, timeoutMs);
    },
  };
  const scheduler = new TimerScheduler(schedulerDb, target, harness.clock, { ...limits, ...overrides }, silentLogger);
  index.onIndexed((changes) => void scheduler.refresh(changes));
  return { runtime, alarms, index, processor, scheduler, deliveries, faults };
}

type Node = ReturnType<typeof node>;

async function setAlarms(target: Node, alarmId: string, alarms: readonly AlarmSetting[], commandId = 'set'): Promise<void> {
  expect((await target.alarms.ask(alarmId, { type: 'SetAlarms', commandId, alarms })).ok).toBe(true);
  await target.processor.drain();
}

async function alarmState(runtime: ActorRuntime, alarmId: string): Promise<AlarmState> {
  const result = await runtime.inspect(`alarm:${alarmId}`);
  if (!result.ok) throw new Error(`inspect failed: ${result.code}`);
  return result.state as AlarmState;
}

describe('durable timers', () => {
  it('fires a timer scheduled by an event once the virtual clock passes it, and not before', async () => {
    const one = node();
    const dueAt = harness.clock.now() + hourMs;
    await setAlarms(one, 'a', [{ timerId: 'wake', dueAt }]);
    expect(await one.scheduler.pending('alarm:a')).toEqual([
      { id: 'alarm:a#wake', timerId: 'wake', targetKey: 'alarm:a', message: { type: 'Ring', timerId: 'wake' }, dueAt, scheduledSeq: 1, createdAt: expect.any(Number) },
    ]);

    expect(await one.scheduler.tick()).toEqual({ fired: 0, retryLater: 0 });
    harness.clock.advance(hourMs - 1);
    expect(await one.scheduler.tick()).toEqual({ fired: 0, retryLater: 0 });
    expect(one.deliveries).toEqual([]);

    harness.clock.advance(1);
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect((await alarmState(one.runtime, 'a')).rang).toEqual(['wake']);
    expect(await one.scheduler.pending()).toEqual([]);
    const rows = await harness.db.query<{ fired_at: number }>(`SELECT fired_at FROM timers WHERE id = 'alarm:a#wake'`);
    expect(rows).toEqual([{ fired_at: dueAt }]);
    expect(await one.scheduler.tick()).toEqual({ fired: 0, retryLater: 0 });
  });

  it('survives a restart between scheduling and firing, rehydrating the passivated target', async () => {
    const before = node();
    const dueAt = harness.clock.now() + 7 * 24 * hourMs;
    await setAlarms(before, 'b', [{ timerId: 'release', dueAt }]);
    await before.scheduler.tick();
    await before.scheduler.stop();
    before.runtime.stop();

    const after = node();
    harness.clock.advance(7 * 24 * hourMs);
    expect(after.runtime.isResident('alarm:b')).toBe(false);
    expect(await after.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect((await alarmState(after.runtime, 'b')).rang).toEqual(['release']);
  });

  it('has one effect when a timer is delivered twice (two nodes racing)', async () => {
    const first = node();
    const second = node();
    await setAlarms(first, 'c', [{ timerId: 'once', dueAt: harness.clock.now() + 1_000 }]);
    // Both windows hold the timer before either marks it fired.
    await first.scheduler.refresh();
    await second.scheduler.refresh();
    harness.clock.advance(1_000);
    const [a, b] = await Promise.all([first.scheduler.tick(), second.scheduler.tick()]);
    expect(a.fired + b.fired).toBe(2);
    expect([...first.deliveries, ...second.deliveries]).toHaveLength(2);
    const entries = await harness.journal.read('alarm:c', 0, 100);
    expect(entries.map((entry) => entry.commandId)).toEqual(['set', 'timer:once']);
    expect((await alarmState(first.runtime, 'c')).rang).toEqual(['once']);
    expect(await first.scheduler.pending()).toEqual([]);
  });

  it('never fires a cancelled timer', async () => {
    const one = node();
    await setAlarms(one, 'd', [{ timerId: 'nope', dueAt: harness.clock.now() + 1_000 }]);
    await one.scheduler.tick();
    expect(one.scheduler.windowSize()).toBe(1);
    expect((await one.alarms.ask('d', { type: 'CancelAlarm', commandId: 'cancel', timerId: 'nope' })).ok).toBe(true);
    await one.processor.drain();
    expect(one.scheduler.windowSize()).toBe(0);
    harness.clock.advance(5_000);
    expect(await one.scheduler.tick()).toEqual({ fired: 0, retryLater: 0 });
    expect(one.deliveries).toEqual([]);
    expect(await one.scheduler.pending('alarm:d')).toEqual([]);
    const rows = await harness.db.query<{ cancelled_at: number | null; fired_at: number | null }>(
      `SELECT cancelled_at, fired_at FROM timers WHERE id = 'alarm:d#nope'`,
    );
    expect(rows).toEqual([{ cancelled_at: expect.any(Number), fired_at: null }]);
  });

  it('refills its window: more timers than the window all fire, in due order', async () => {
    const one = node({ timerWindowSize: 4 });
    const start = harness.clock.now();
    const ids = Array.from({ length: 15 }, (_, index) => `t${String(index).padStart(2, '0')}`);
    // Scheduled out of order, due one second apart in id order.
    const settings = ids.map((timerId, index) => ({ timerId, dueAt: start + (index + 1) * 1_000 }));
    const shuffled = [...settings.filter((_, index) => index % 2 === 1), ...settings.filter((_, index) => index % 2 === 0)].reverse();
    await setAlarms(one, 'e', shuffled.slice(0, 8), 'set-1');
    await setAlarms(one, 'e', shuffled.slice(8), 'set-2');

    harness.clock.advance(8_500);
    expect(await one.scheduler.tick()).toEqual({ fired: 8, retryLater: 0 });
    expect((await alarmState(one.runtime, 'e')).rang).toEqual(ids.slice(0, 8));
    expect(one.scheduler.windowSize()).toBeLessThanOrEqual(4);

    harness.clock.advance(10_000);
    expect(await one.scheduler.tick()).toEqual({ fired: 7, retryLater: 0 });
    expect((await alarmState(one.runtime, 'e')).rang).toEqual(ids);
    expect(await one.scheduler.pending()).toEqual([]);
  });

  it('picks up a timer indexed after its window was loaded when it is due inside the window', async () => {
    const one = node({ timerWindowSize: 2 });
    const start = harness.clock.now();
    await setAlarms(one, 'f', [1, 2, 3].map((day) => ({ timerId: `day${day}`, dueAt: start + day * 24 * hourMs })), 'far');
    await one.scheduler.tick();
    await setAlarms(one, 'f', [{ timerId: 'soon', dueAt: start + 1_000 }], 'near');
    harness.clock.advance(1_000);
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect((await alarmState(one.runtime, 'f')).rang).toEqual(['soon']);
  });

  it('takes timers indexed after its window was loaded into the window without reading the table', async () => {
    const counted = countingDb(harness.db);
    const one = node({ timerWindowSize: 10 }, counted);
    const start = harness.clock.now();
    await setAlarms(one, 'h', [{ timerId: 'first', dueAt: start + 5_000 }], 'first');
    await one.scheduler.tick();
    const before = counted.counts().statements;
    await setAlarms(one, 'h', [{ timerId: 'second', dueAt: start + 1_000 }, { timerId: 'third', dueAt: start + 2_000 }], 'more');
    expect(one.scheduler.windowSize()).toBe(3);
    harness.clock.advance(2_000);
    expect(await one.scheduler.tick()).toEqual({ fired: 2, retryLater: 0 });
    // The only statement is the one that marks the two fired.
    expect(counted.counts().statements - before).toBe(1);
    harness.clock.advance(3_000);
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect((await alarmState(one.runtime, 'h')).rang).toEqual(['second', 'third', 'first']);
  });

  it('leaves a transiently failed delivery for the next tick (late rather than never)', async () => {
    const one = node();
    await setAlarms(one, 'g', [{ timerId: 'late', dueAt: harness.clock.now() + 1_000 }]);
    harness.clock.advance(1_000);
    one.faults.failNext = 1;
    expect(await one.scheduler.tick()).toEqual({ fired: 0, retryLater: 1 });
    expect(await one.scheduler.pending('alarm:g')).toHaveLength(1);
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect((await alarmState(one.runtime, 'g')).rang).toEqual(['late']);
  });

  it('marks fired a timer its actor rejects, instead of retrying it forever', async () => {
    const one = node();
    await harness.db.query(
      `INSERT INTO timers (id, target_key, message, due_at, scheduled_seq, created_at)
       VALUES ('alarm:h#ghost', 'alarm:h', $1::jsonb, $2, 1, $2)`,
      [JSON.stringify({ type: 'Ring', timerId: 'ghost' }), harness.clock.now()],
    );
    expect(await one.scheduler.tick()).toEqual({ fired: 1, retryLater: 0 });
    expect(await one.scheduler.pending()).toEqual([]);
  });

  it('indexes idempotently: the same entries twice give the same rows', async () => {
    const one = node();
    const dueAt = harness.clock.now() + 1_000;
    await setAlarms(one, 'i', [{ timerId: 'x', dueAt }, { timerId: 'y', dueAt }]);
    expect((await one.alarms.ask('i', { type: 'CancelAlarm', commandId: 'cancel-y', timerId: 'y' })).ok).toBe(true);
    await one.processor.drain();
    const before = await harness.db.query('SELECT * FROM timers ORDER BY id');
    const entries = await harness.journal.readAll(null, 100);
    harness.clock.advance(1);
    await one.index.handle(entries);
    await one.index.handle(entries);
    expect(await harness.db.query('SELECT * FROM timers ORDER BY id')).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it('writes no row for a timer scheduled and cancelled in one batch, and still cancels it when that batch comes again', async () => {
    const one = node();
    const dueAt = harness.clock.now() + 1_000;
    const command = { type: 'Ring', timerId: 'brief' };
    const scheduled = { key: 'alarm:j', seq: 1, commandId: 'set', at: 1, events: [{ type: 'TimerScheduled', timerId: 'brief', dueAt, command }] };
    const cancelled = { key: 'alarm:j', seq: 2, commandId: 'cancel', at: 2, events: [{ type: 'TimerCancelled', timerId: 'brief' }] };
    const rows = () => harness.db.query<{ id: string; cancelled_at: number | null }>('SELECT id, cancelled_at FROM timers ORDER BY id');

    await one.index.handle([scheduled, cancelled]);
    expect(await rows()).toEqual([]);
    expect(one.scheduler.windowSize()).toBe(0);

    // A first delivery wrote the schedule, then the process died before its checkpoint: the
    // batch that comes again holds the cancel too, and the written row must end cancelled.
    await one.index.handle([scheduled]);
    expect(await rows()).toEqual([{ id: 'alarm:j#brief', cancelled_at: null }]);
    await one.index.handle([scheduled, cancelled]);
    expect(await rows()).toEqual([{ id: 'alarm:j#brief', cancelled_at: 2 }]);
    expect(await one.scheduler.pending('alarm:j')).toEqual([]);
  });

  it('hands a timer another node indexed first to this node\'s scheduler, pending ones only (cluster mode)', async () => {
    // Every node's processor indexes every entry; the first to insert a row wins. The owner's
    // scheduler must still learn of the timer from its own pass over the entry, or it waits for
    // its next window reload (timerWindowMaxAgeMs, a minute) to fire it.
    const one = node();
    const dueAt = harness.clock.now() + 1_000;
    await setAlarms(one, 'k', [{ timerId: 'x', dueAt }, { timerId: 'y', dueAt }]);
    const entries = await harness.journal.readAll(null, 100);
    await harness.db.query(`UPDATE timers SET fired_at = $1 WHERE id = 'alarm:k#y'`, [harness.clock.now()]);
    const owner = new TimerIndex(harness.db, silentLogger);
    const seen: string[] = [];
    owner.onIndexed((changes) => seen.push(...changes.indexed.map((row) => row.id)));
    await owner.handle(entries);
    expect(seen).toEqual(['alarm:k#x']);
  });

  it('polls on a real interval, reading the injected clock', async () => {
    const one = node();
    await setAlarms(one, 'j', [{ timerId: 'poll', dueAt: harness.clock.now() + hourMs }]);
    one.scheduler.start(5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(one.deliveries).toEqual([]);
    harness.clock.advance(hourMs);
    await eventually(async () => (await alarmState(one.runtime, 'j')).rang.length === 1, 5_000, 'the polled timer fired');
    await one.scheduler.stop();
  });
});
