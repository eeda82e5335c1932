/**
 * The commit pipeline's rollback (DESIGN.md §2a): actors run ahead of the disk, and when the
 * store refuses a batch, every actor whose state includes a lost entry reloads its durable
 * state, and every caller waiting on a lost entry gets `unavailable`. A retry with the same
 * command id is then applied exactly once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchRefused } from '../persistence/adapters/journal.ts';
import { accountDecider } from './testing/account.ts';
import { counterDecider } from './testing/counter.ts';
import { eventually } from './testing/controlled-journal.ts';
import { gatedJournal } from './testing/gated-journal.ts';
import { openHarness, type Harness } from './testing/harness.ts';
import { isSettled, transferDecider } from './testing/transfer.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

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
    // The base, the refused batch, and the retries (which may share one batch).
    expect(gate.batches.length).toBeGreaterThanOrEqual(3);
  });

  it('answers callers of a batch refused as fenced unavailable, without deciding again here (a retry reaches the new owner)', async () => {
    const { journal, gate, decide } = gatedJournal(harness.journal);
    const counters = harness.runtime({}, { journal }).register(counterDecider);
    const fenced = counters.ask('fenced', { type: 'Add', commandId: 'f1', amount: 1 });
    await eventually(() => gate.held === 1, 5_000, 'the batch reached the store');
    decide(new BatchRefused('fenced', 'shard 3 is leased at a newer epoch'));
    expect(await fenced).toMatchObject({ ok: false, code: 'unavailable', message: expect.stringContaining('no longer owns a shard') });
    // A conflict is decided again on fresh state (runtime.ts, ask); a fenced batch would only be
    // fenced again, so the command went to the store once.
    expect(gate.batches).toEqual([['counter:fenced#1']]);
    expect(await harness.journal.lastSeq('counter:fenced')).toBe(0);
  });

  it('journals no saga effect whose cause was rolled back, and runs the step from durable state once the command is retried', async () => {
    const { journal, gate, decide } = gatedJournal(harness.journal);
    const runtime = harness.runtime({ sagaRetryBaseMs: 5, sagaRetryMaxMs: 20 }, { journal });
    const accounts = runtime.register(accountDecider);
    const transfers = runtime.register(transferDecider);
    const funded = accounts.ask('alice', { type: 'Deposit', commandId: 'fund', amountMinor: 100 });
    await eventually(() => gate.held === 1, 5_000, 'the deposit reached the store');
    decide(true);
    expect(await funded).toMatchObject({ ok: true, seq: 1 });

    // The transfer's start is held at the store while its saga runs ahead: alice's debit and the
    // step's record queue behind it. Then the store refuses the start.
    const start = { type: 'StartTransfer', transferId: 't1', from: 'alice', to: ['bob'], amountMinor: 30 } as const;
    const started = transfers.ask('t1', start);
    await eventually(() => gate.held === 1 && runtime.log.stats().queued >= 2, 5_000, 'the debit and its record queued behind the start');
    gate.open = true;
    decide(false);
    expect(await started).toMatchObject({ ok: false, code: 'unavailable' });

    // The run that started from the lost start ends without asking alice again.
    await eventually(() => runtime.list().every((actor) => actor.effectsInFlight === 0), 5_000, 'the stale run ended');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await harness.journal.lastSeq('account:alice')).toBe(1);
    expect(await harness.journal.lastSeq('transfer:t1')).toBe(0);

    // The retry runs the whole saga once.
    expect(await transfers.ask('t1', start)).toMatchObject({ ok: true, seq: 1 });
    expect(await transfers.waitFor('t1', isSettled, 5_000)).toMatchObject({ ok: true, state: { status: 'COMPLETED' } });
    const alice = await accounts.inspect('alice');
    expect(alice).toMatchObject({ ok: true, seq: 2, state: { balanceMinor: 70 } });
    expect((await harness.journal.read('transfer:t1', 0, 10)).map((entry) => entry.commandId)).toEqual(['start', 'step:debit', 'step:credit:0']);
  });
});
