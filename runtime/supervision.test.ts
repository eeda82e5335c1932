import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EntryPosition, Journal, JournalEntry, NewEntry } from '../persistence/adapters/journal.ts';
import { send, spawnActor, spawnParent, startSystem, stopActor } from './nact.ts';
import { counterDecider } from './testing/counter.ts';
import { openHarness, type Harness } from './testing/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

/** A journal whose appends fail or stall on demand, wrapping the real one. */
function faultyJournal(inner: Journal) {
  const control = { failAppends: 0, delayAppendMs: 0 };
  const journal: Journal = Object.create(inner) as Journal;
  journal.append = async <E>(key: string, expectedSeq: number, entry: NewEntry<E>) => {
    if (control.failAppends > 0) {
      control.failAppends -= 1;
      throw new Error('journal unavailable (injected)');
    }
    if (control.delayAppendMs > 0) await new Promise((resolve) => setTimeout(resolve, control.delayAppendMs));
    return inner.append(key, expectedSeq, entry);
  };
  // The runtime writes through the commit log's batches: the same faults apply to a batch.
  journal.commit = async (entries: readonly JournalEntry[], guards?: readonly EntryPosition[]) => {
    if (control.failAppends > 0) {
      control.failAppends -= 1;
      throw new Error('journal unavailable (injected)');
    }
    if (control.delayAppendMs > 0) await new Promise((resolve) => setTimeout(resolve, control.delayAppendMs));
    return inner.commit(entries, guards);
  };
  return { journal, control };
}

describe('supervision', () => {
  it('answers a crashed command with unavailable and restarts the actor from durable state', async () => {
    const counters = harness.runtime({ restartBackoffBaseMs: 1 }).register(counterDecider);
    expect((await counters.ask('c', { type: 'Add', commandId: 'a', amount: 2 })).ok).toBe(true);
    expect(await counters.ask('c', { type: 'Boom', commandId: 'b' })).toMatchObject({ ok: false, code: 'unavailable' });
    const next = await counters.ask('c', { type: 'Add', commandId: 'c', amount: 3 });
    expect(next).toMatchObject({ ok: true, seq: 2, state: { total: 5 } });
  });

  it('recovers from a failing journal without losing or doubling acknowledged commands', async () => {
    const { journal, control } = faultyJournal(harness.journal);
    const counters = harness.runtime({ restartBackoffBaseMs: 1 }, { journal }).register(counterDecider);
    expect((await counters.ask('j', { type: 'Add', commandId: 'a1', amount: 1 })).ok).toBe(true);
    control.failAppends = 1;
    expect(await counters.ask('j', { type: 'Add', commandId: 'a2', amount: 1 })).toMatchObject({ code: 'unavailable' });
    const retried = await counters.ask('j', { type: 'Add', commandId: 'a2', amount: 1 });
    expect(retried).toMatchObject({ ok: true, seq: 2, state: { total: 2 } });
  });

  it('stops an actor that keeps crashing, answers its queued messages, and respawns it later', async () => {
    const runtime = harness.runtime({ restartsMax: 2, restartBackoffBaseMs: 1 });
    const counters = runtime.register(counterDecider);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) => counters.ask('x', { type: 'Boom', commandId: `b${index}` })),
    );
    const codes = results.map((result) => (result.ok ? 'ok' : result.code));
    expect(codes.filter((code) => code === 'unavailable')).toHaveLength(3);
    expect(codes.filter((code) => code === 'actor_stopped')).toHaveLength(3);
    expect(runtime.isResident('counter:x')).toBe(false);
    expect(await counters.ask('x', { type: 'Add', commandId: 'after', amount: 1 })).toMatchObject({ ok: true });
  });

  it('times out a slow ask, and the retry with the same command id does not apply it twice', async () => {
    const { journal, control } = faultyJournal(harness.journal);
    const counters = harness.runtime({}, { journal }).register(counterDecider);
    control.delayAppendMs = 200;
    expect(await counters.ask('t', { type: 'Add', commandId: 'slow', amount: 7 }, 20)).toMatchObject({ code: 'timeout' });
    control.delayAppendMs = 0;
    const retry = await counters.ask('t', { type: 'Add', commandId: 'slow', amount: 7 });
    expect(retry).toMatchObject({ ok: true, duplicate: true, state: { total: 7 } });
    expect(await harness.journal.lastSeq('counter:t')).toBe(1);
  });

  it('survives a crash policy that throws (nact turns it into an unhandled rejection)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const system = startSystem(`policy-test-${Date.now()}`);
    const parent = spawnParent(system, 'parent');
    const policyFailures: unknown[] = [];
    const actor = spawnActor<number, string>(parent, 'fragile', {
      initialState: 0,
      handle: async () => {
        throw new Error('handler fault');
      },
      onCrash: async () => {
        throw new Error('policy fault');
      },
      onPolicyFailure: (error) => policyFailures.push(error),
    });
    send(actor, 'hello');
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('unhandledRejection', onUnhandled);
    stopActor(system);
    expect(unhandled).toEqual([]);
    expect(policyFailures).toHaveLength(1);
  });
});
