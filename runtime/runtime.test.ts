import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../persistence/adapters/journal.ts';
import type { CommandResult } from './entity.ts';
import { replay } from './entity.ts';
import { accountDecider } from './testing/account.ts';
import { alarmDecider } from './testing/alarm.ts';
import { counterDecider, type CounterEvent, type CounterState } from './testing/counter.ts';
import { eventually } from './testing/controlled-journal.ts';
import { openHarness, type Harness } from './testing/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

/** The journal, counting its `commandIds` reads (the query a load makes without carried hashes). */
function countingCommandIds(journal: Journal): { readonly journal: Journal; calls(): number } {
  let calls = 0;
  const counted = new Proxy(journal, {
    get(target, property) {
      if (property === 'commandIds') return (key: string) => ((calls += 1), target.commandIds(key));
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { journal: counted, calls: () => calls };
}

function accepted(result: CommandResult<CounterEvent, CounterState>) {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.code}: ${result.message}`);
  return result;
}

describe('entity actors', () => {
  it('journals one entry per accepted command, holding all its events', async () => {
    const counters = harness.runtime().register(counterDecider);
    const result = accepted(await counters.ask('a', { type: 'AddTwice', commandId: 'c1', amount: 5 }));
    expect(result.seq).toBe(1);
    expect(result.events).toHaveLength(2);
    expect(result.state.total).toBe(10);
    const entries = await harness.journal.read('counter:a', 0, 100);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.events).toHaveLength(2);
    expect(entries[0]?.commandId).toBe('c1');
  });

  it('writes nothing for a rejection and returns it as a value', async () => {
    const counters = harness.runtime().register(counterDecider);
    const result = await counters.ask('a', { type: 'Take', commandId: 't1', amount: 1 });
    expect(result).toEqual({ ok: false, code: 'not_enough', message: 'only 0 left' });
    expect(await harness.journal.lastSeq('counter:a')).toBe(0);
  });

  it('answers a retried command with its first result, even when it would now be rejected', async () => {
    const counters = harness.runtime().register(counterDecider);
    accepted(await counters.ask('a', { type: 'Add', commandId: 'add', amount: 3 }));
    const first = accepted(await counters.ask('a', { type: 'Take', commandId: 'take', amount: 3 }));
    const retry = accepted(await counters.ask('a', { type: 'Take', commandId: 'take', amount: 3 }));
    expect(retry.duplicate).toBe(true);
    expect(retry.seq).toBe(first.seq);
    expect(retry.events).toEqual(first.events);
    expect(await harness.journal.lastSeq('counter:a')).toBe(2);
  });

  it('answers a retried command that would still be accepted with the original entry', async () => {
    const counters = harness.runtime().register(counterDecider);
    accepted(await counters.ask('a', { type: 'Add', commandId: 'same', amount: 3 }));
    const retry = accepted(await counters.ask('a', { type: 'Add', commandId: 'same', amount: 3 }));
    expect(retry.duplicate).toBe(true);
    expect(retry.state.total).toBe(3);
    expect(await harness.journal.lastSeq('counter:a')).toBe(1);
  });

  it('answers a command that decides no events with the entry that first applied it', async () => {
    // The account ignores a debit it already applied (idempotent by transfer, like the wallet by
    // order step): the retry must still get the original events, e.g. for a saga step re-run.
    const accounts = harness.runtime().register(accountDecider);
    expect((await accounts.ask('a', { type: 'Deposit', commandId: 'd', amountMinor: 50 })).ok).toBe(true);
    const debit = { type: 'Debit', transferId: 'x', amountMinor: 20 } as const;
    const first = await accounts.ask('a', debit);
    const retry = await accounts.ask('a', debit);
    expect(first).toMatchObject({ ok: true, seq: 2, duplicate: false });
    expect(retry).toEqual({
      ok: true,
      seq: 2,
      duplicate: true,
      events: [{ type: 'Debited', transferId: 'x', amountMinor: 20, balanceAfterMinor: 30 }],
      state: expect.objectContaining({ balanceMinor: 30 }),
    });
    expect(await harness.journal.lastSeq('account:a')).toBe(2);
  });

  it('answers a no-op command that was never journaled as a plain acceptance', async () => {
    const alarms = harness.runtime().register(alarmDecider);
    const cancel = await alarms.ask('b', { type: 'CancelAlarm', commandId: 'c', timerId: 'none' });
    expect(cancel).toMatchObject({ ok: true, seq: 0, events: [], duplicate: false });
  });

  it('rejects unknown actor kinds at once', async () => {
    const runtime = harness.runtime();
    expect(await runtime.ask('nope:1', {})).toMatchObject({ ok: false, code: 'unknown_actor_kind' });
  });
});

describe('snapshots and recovery', () => {
  it('snapshots exactly every N entries, also right after a recovery (nact snapshotEvery runs one late)', async () => {
    const first = harness.runtime({ snapshotEvery: 5 }).register(counterDecider);
    for (let index = 1; index <= 7; index += 1) accepted(await first.ask('s', { type: 'Add', commandId: `a${index}`, amount: 1 }));
    expect((await harness.snapshots.load('counter:s'))?.seq).toBe(5);

    const second = harness.runtime({ snapshotEvery: 5 }).register(counterDecider);
    for (let index = 8; index <= 10; index += 1) accepted(await second.ask('s', { type: 'Add', commandId: `a${index}`, amount: 1 }));
    const snapshot = await harness.snapshots.load<CounterState>('counter:s');
    expect(snapshot?.seq).toBe(10);
    expect(snapshot?.state.total).toBe(10);
  });

  it('snapshots a big state less often: one entry per snapshotBytesPerEntry bytes of its last snapshot', async () => {
    // {"total":5,"applied":5} is 23 bytes: at 2 bytes per entry the next snapshot comes 12 entries
    // later, not 5; {"total":17,"applied":17} is 25 bytes, so the one after comes 13 later.
    const counters = harness.runtime({ snapshotEvery: 5, snapshotBytesPerEntry: 2 }).register(counterDecider);
    const seqs: number[] = [];
    const note = async () => {
      const seq = (await harness.snapshots.load('counter:big'))?.seq;
      if (seq !== undefined && seqs.at(-1) !== seq) seqs.push(seq);
      return seq;
    };
    for (let index = 1; index <= 30; index += 1) {
      accepted(await counters.ask('big', { type: 'Add', commandId: `b${index}`, amount: 1 }));
      await note();
    }
    await eventually(async () => (await note()) === 30, 2_000, 'the snapshot at seq 30');
    expect(seqs).toEqual([5, 17, 30]);
  });

  it('recovers the same state from snapshot + tail, from the journal alone, and by replay', async () => {
    const writer = harness.runtime({ snapshotEvery: 4 }).register(counterDecider);
    for (let index = 0; index < 23; index += 1) {
      accepted(await writer.ask('r', { type: index % 3 === 2 ? 'Take' : 'Add', commandId: `c${index}`, amount: 1 }));
    }
    const withSnapshot = await harness.runtime().register(counterDecider).inspect('r');
    await harness.snapshots.deleteAll();
    const withoutSnapshot = await harness.runtime().register(counterDecider).inspect('r');
    const replayed = replay(counterDecider, await harness.journal.read<CounterEvent>('counter:r', 0, 1_000));
    expect(withSnapshot).toEqual({ ok: true, state: replayed, seq: 23 });
    expect(withoutSnapshot).toEqual(withSnapshot);
  });

  it('loads a snapshot with the command ids it carries: no query for them, and a retry from before it is still known', async () => {
    const writer = harness.runtime({ snapshotEvery: 5 }).register(counterDecider);
    const firsts: CommandResult<CounterEvent, CounterState>[] = [];
    for (let index = 1; index <= 7; index += 1) firsts.push(accepted(await writer.ask('k', { type: 'Add', commandId: `k${index}`, amount: index })));
    await eventually(async () => (await harness.snapshots.load('counter:k'))?.seq === 5, 2_000, 'the snapshot at seq 5');
    const reload = async () => {
      const counted = countingCommandIds(harness.journal);
      const counters = harness.runtime({ snapshotEvery: 1_000 }, { journal: counted.journal }).register(counterDecider);
      const retry = await counters.ask('k', { type: 'Add', commandId: 'k2', amount: 2 });
      expect(retry).toMatchObject({ ok: true, duplicate: true, seq: 2, events: (firsts[1] as { events: unknown }).events });
      return counted.calls();
    };
    expect(await reload()).toBe(0);
    // A snapshot saved before snapshots carried them: the ids are read, once, as they were.
    const stored = await harness.snapshots.load('counter:k');
    await harness.snapshots.deleteAll();
    await harness.snapshots.save({ ...stored!, commandIdHashes: undefined });
    expect(await reload()).toBe(1);
  });

  it('ignores a snapshot written for another state version', async () => {
    const counters = harness.runtime().register(counterDecider);
    accepted(await counters.ask('v', { type: 'Add', commandId: 'x', amount: 2 }));
    await harness.snapshots.save({ key: 'counter:v', seq: 1, version: 99, state: { total: 1_000, applied: 1 }, at: 0 });
    expect(await harness.runtime().register(counterDecider).inspect('v')).toMatchObject({ state: { total: 2 } });
  });

  it('never duplicates events across many restarts (nact persists again while recovering)', async () => {
    for (let restart = 0; restart < 5; restart += 1) {
      const counters = harness.runtime().register(counterDecider);
      accepted(await counters.ask('d', { type: 'Add', commandId: `r${restart}`, amount: 1 }));
    }
    const entries = await harness.journal.read('counter:d', 0, 100);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await harness.runtime().register(counterDecider).inspect('d')).toMatchObject({ state: { total: 5, applied: 5 } });
  });
});

describe('passivation', () => {
  it('stops idle actors and rehydrates them on their next message', async () => {
    const runtime = harness.runtime();
    const counters = runtime.register(counterDecider);
    accepted(await counters.ask('p', { type: 'Add', commandId: 'p1', amount: 4 }));
    expect(runtime.isResident('counter:p')).toBe(true);
    expect(runtime.passivateIdle(0)).toBe(1);
    expect(runtime.isResident('counter:p')).toBe(false);
    const after = accepted(await counters.ask('p', { type: 'Add', commandId: 'p2', amount: 1 }));
    expect(after.state.total).toBe(5);
    expect(after.seq).toBe(2);
  });

  it('never loses a message sent right after its actor was passivated (nact shutdownAfter drops it)', async () => {
    const runtime = harness.runtime();
    const counters = runtime.register(counterDecider);
    const results = [];
    for (let round = 0; round < 50; round += 1) {
      const pending = counters.ask('q', { type: 'Add', commandId: `q${round}`, amount: 1 }, 2_000);
      runtime.passivateIdle(0);
      results.push(await pending);
      runtime.passivateIdle(0);
    }
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await counters.inspect('q')).toMatchObject({ state: { total: 50 } });
  });

  it('stops an actor whose state is at rest once it is durable and idle, and loads it on its next message', async () => {
    const runtime = harness.runtime();
    const resting = runtime.register({ ...counterDecider, kind: 'resting', atRest: (state: CounterState) => state.total >= 10 });
    accepted(await resting.ask('r', { type: 'Add', commandId: 'r1', amount: 4 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.isResident('resting:r')).toBe(true);
    accepted(await resting.ask('r', { type: 'Add', commandId: 'r2', amount: 6 }));
    await eventually(() => !runtime.isResident('resting:r'), 2_000, 'the actor at rest stopped');
    const after = accepted(await resting.ask('r', { type: 'Add', commandId: 'r3', amount: 1 }));
    expect(after).toMatchObject({ seq: 3, state: { total: 11, applied: 3 } });
    // A retried command still gets its first answer after the reload.
    expect(accepted(await resting.ask('r', { type: 'Add', commandId: 'r2', amount: 6 }))).toMatchObject({ duplicate: true, seq: 2 });
  });

  it('keeps resident actors under the limit by passivating the least recently used', async () => {
    const runtime = harness.runtime({ residentActorsMax: 10 });
    const counters = runtime.register(counterDecider);
    for (let index = 0; index < 30; index += 1) accepted(await counters.ask(`lru${index}`, { type: 'Add', commandId: 'x', amount: 1 }));
    expect(runtime.list().length).toBeLessThanOrEqual(10);
    expect(runtime.isResident('counter:lru29')).toBe(true);
    expect(runtime.isResident('counter:lru0')).toBe(false);
  });
});

describe('asks and mailboxes', () => {
  it('routes 20,000 concurrent asks to their own callers (nact query ids collide)', async () => {
    const counters = harness.runtime().register(counterDecider);
    const asks = Array.from({ length: 20_000 }, (_, index) =>
      counters.ask(`k${index % 500}`, { type: 'Add', commandId: `m${index}`, amount: index }, 60_000),
    );
    const results = await Promise.all(asks);
    results.forEach((result, index) => {
      const { events } = accepted(result);
      expect(events).toEqual([{ type: 'Added', amount: index }]);
    });
  });

  it('answers mailbox_full instead of queueing without bound', async () => {
    const counters = harness.runtime({ mailboxMax: 5 }).register(counterDecider);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) => counters.ask('m', { type: 'Add', commandId: `f${index}`, amount: 1 })),
    );
    const full = results.filter((result) => !result.ok && result.code === 'mailbox_full').length;
    const ok = results.filter((result) => result.ok).length;
    expect(full).toBeGreaterThan(0);
    expect(ok + full).toBe(40);
    expect(await counters.inspect('m')).toMatchObject({ state: { total: ok } });
  });

  it('spreads actors over the shards so no parent holds a large share', async () => {
    const runtime = harness.runtime({ shardCount: 64 });
    const counters = runtime.register(counterDecider);
    await Promise.all(Array.from({ length: 6_400 }, (_, index) => counters.inspect(`spread${index}`, 60_000)));
    const perShard = runtime.shardSizes();
    expect(perShard).toHaveLength(64);
    expect(Math.max(...perShard)).toBeLessThan(200);
    expect(perShard.reduce((sum, size) => sum + size, 0)).toBe(6_400);
  });
});

describe('optimistic concurrency across nodes', () => {
  it('two runtimes on one journal both land their commands on the same key', async () => {
    const nodeA = harness.runtime().register(counterDecider);
    const nodeB = harness.runtime().register(counterDecider);
    for (let round = 0; round < 20; round += 1) {
      const [a, b] = await Promise.all([
        nodeA.ask('shared', { type: 'Add', commandId: `a${round}`, amount: 1 }),
        nodeB.ask('shared', { type: 'Add', commandId: `b${round}`, amount: 1 }),
      ]);
      expect(a.ok && b.ok).toBe(true);
    }
    const entries = await harness.journal.read<CounterEvent>('counter:shared', 0, 100);
    expect(entries).toHaveLength(40);
    expect(replay(counterDecider, entries).total).toBe(40);
  });

  it('a node that fell behind catches up instead of answering from stale state', async () => {
    const nodeA = harness.runtime().register(counterDecider);
    const nodeB = harness.runtime().register(counterDecider);
    accepted(await nodeA.ask('behind', { type: 'Add', commandId: 'a1', amount: 100 }));
    expect(await nodeB.inspect('behind')).toMatchObject({ state: { total: 100 } });
    accepted(await nodeA.ask('behind', { type: 'Add', commandId: 'a2', amount: 900 }));
    const take = accepted(await nodeB.ask('behind', { type: 'Take', commandId: 'b1', amount: 500 }));
    expect(take.state.total).toBe(500);
    const retried = accepted(await nodeA.ask('behind', { type: 'Take', commandId: 'b1', amount: 500 }));
    expect(retried).toMatchObject({ duplicate: true, seq: 3, state: { total: 500 } });
  });
});
