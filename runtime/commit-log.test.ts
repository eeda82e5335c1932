/**
 * The commit pipeline's rollback (DESIGN.md §2a): actors run ahead of the disk, and when the
 * store refuses a batch, every actor whose state includes a lost entry reloads its durable
 * state, and every caller waiting on a lost entry gets `unavailable`. A retry with the same
 * command id is then applied exactly once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EntryPosition, Journal, JournalEntry } from '../persistence/adapters/journal.ts';
import { counterDecider } from './testing/counter.ts';
import { eventually } from './testing/controlled-journal.ts';
import { openHarness, type Harness } from './testing/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

/** A journal whose next batch waits for `decide`, which commits it or refuses it. */
function gatedJournal(inner: Journal) {
  const gate = { held: 0, open: false, verdicts: [] as ((commit: boolean) => void)[], batches: [] as string[][] };
  const journal: Journal = Object.create(inner) as Journal;
  journal.commit = async (entries: readonly JournalEntry[], guards?: readonly EntryPosition[]) => {
    gate.batches.push(entries.map((entry) => `${entry.key}#${entry.seq}`));
    gate.held += 1;
    const commit = gate.open || (await new Promise<boolean>((resolve) => gate.verdicts.push(resolve)));
    gate.held -= 1;
    if (!commit) throw new Error('the store refused the batch (injected)');
    return inner.commit(entries, guards);
  };
  const decide = (commit: boolean) => gate.verdicts.shift()?.(commit);
  return { journal, gate, decide };
}

describe('commit pipeline rollback', () => {
  it('answers no caller before its entry is durable', async () => {
    const { journal, gate, decide } = gatedJournal(harness.journal);
    const counters = harness.runtime({}, { journal }).register(counterDecider);
    let answered = false;
    const asked = counters.ask('early', { type: 'Add', commandId: 'e1', amount: 1 }).then((result) => {
      answered = true;
      return result;
    });
    await eventually(() => gate.held === 1, 5_000, 'the batch reached the store');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(answered).toBe(false);
    decide(true);
    expect(await asked).toMatchObject({ ok: true, seq: 1, state: { total: 1 } });
  });

  it('rolls back every actor resting on a refused batch and answers every waiting caller unavailable', async () => {
    const { journal, gate, decide } = gatedJournal(harness.journal);
    const runtime = harness.runtime({}, { journal });
    const counters = runtime.register(counterDecider);
    // A durable base for one actor.
    const base = counters.ask('a', { type: 'Add', commandId: 'base', amount: 100 });
    await eventually(() => gate.held === 1, 5_000, 'the base batch reached the store');
    decide(true);
    expect(await base).toMatchObject({ ok: true, seq: 1 });

    // The first batch is held at the store while the actors run ahead: a takes two more entries
    // (the second rests on the first), b and c one each; later commands queue behind the batch.
    const first = [
      counters.ask('a', { type: 'Add', commandId: 'a2', amount: 1 }),
      counters.ask('b', { type: 'Add', commandId: 'b1', amount: 1 }),
    ];
    await eventually(() => gate.held === 1, 5_000, 'the first speculative batch reached the store');
    const second = [
      counters.ask('a', { type: 'Add', commandId: 'a3', amount: 1 }),
      counters.ask('c', { type: 'Add', commandId: 'c1', amount: 1 }),
      // A rejection decided on the speculative state is held too, and lost with it.
      counters.ask('a', { type: 'Take', commandId: 'a-take', amount: 10_000 }),
    ];
    // A new actor (b, c) loads first, so its entry may queue behind the held batch rather than join it.
    const decided = () => (gate.batches.at(-1)?.length ?? 0) + runtime.log.stats().queued;
    await eventually(() => decided() === first.length + second.length, 5_000, 'the later commands were decided and queued');
    decide(false);
    const answers = await Promise.all([...first, ...second]);
    expect(answers.map((answer) => (answer.ok ? 'ok' : answer.code))).toEqual(['unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable']);

    // Nothing of them was written, and each actor is back on its durable state.
    expect(await harness.journal.lastSeq('counter:a')).toBe(1);
    expect(await harness.journal.lastSeq('counter:b')).toBe(0);
    expect(await harness.journal.lastSeq('counter:c')).toBe(0);
    const inspections = await Promise.all(['a', 'b', 'c'].map((id) => counters.inspect(id)));
    expect(inspections.map((inspection) => (inspection.ok ? [inspection.seq, (inspection.state as { total: number }).total] : inspection.code))).toEqual([
      [1, 100],
      [0, 0],
      [0, 0],
    ]);

    // Retries with the same ids are applied once.
    gate.open = true;
    const retries = Promise.all([
      counters.ask('a', { type: 'Add', commandId: 'a2', amount: 1 }),
      counters.ask('a', { type: 'Add', commandId: 'a3', amount: 1 }),
      counters.ask('b', { type: 'Add', commandId: 'b1', amount: 1 }),
    ]);
    expect((await retries).map((answer) => answer.ok && answer.seq)).toEqual([2, 3, 1]);
    expect(await harness.journal.lastSeq('counter:a')).toBe(3);
    expect(gate.batches.length).toBeGreaterThanOrEqual(4);
  });
});
