import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Journal } from '../persistence/adapters/journal.ts';
import type { Limits } from './limits.ts';
import { accountDecider, type AccountEvent, type AccountState } from './testing/account.ts';
import { controlledJournal, eventually } from './testing/controlled-journal.ts';
import { openHarness, type Harness } from './testing/harness.ts';
import { isSettled, transferDecider, type TransferState } from './testing/transfer.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

/** Quick retries, so transient failures cost milliseconds in these tests. */
const fast: Partial<Limits> = { sagaRetryBaseMs: 5, sagaRetryMaxMs: 20, restartBackoffBaseMs: 1 };
/**
 * One entry per journal batch, for the tests that fail or hold one step's entry. Messages between
 * actors run ahead of the disk in one turn (nact.ts), so a saga's start and its first steps share
 * a batch, and a store failure aimed at the step would refuse the start with it (its caller gets
 * `unavailable` and retries, as any client does). These tests are about the step, so each entry
 * gets its own batch, and the start is durable before the step's entry reaches the store.
 */
const entryPerBatch: Partial<Limits> = { journalMaxBatch: 1 };

function start(overrides: Partial<Limits> = {}, journal?: Journal) {
  const runtime = harness.runtime({ ...fast, ...overrides }, journal === undefined ? {} : { journal });
  const accounts = runtime.register(accountDecider);
  const transfers = runtime.register(transferDecider);
  return { runtime, accounts, transfers };
}

type Started = ReturnType<typeof start>;

async function fund(system: Started, accountId: string, amountMinor: number): Promise<void> {
  const result = await system.accounts.ask(accountId, { type: 'Deposit', commandId: `fund-${accountId}`, amountMinor });
  expect(result.ok).toBe(true);
}

async function transfer(system: Started, transferId: string, from: string, to: readonly string[], amountMinor: number): Promise<void> {
  const result = await system.transfers.ask(transferId, { type: 'StartTransfer', transferId, from, to, amountMinor });
  expect(result.ok).toBe(true);
}

/** Waits as a client does: a wait whose settled state was rolled back (`unavailable`) is asked again. */
async function settled(system: Started, transferId: string): Promise<TransferState> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await system.transfers.waitFor(transferId, isSettled, 10_000);
    if (result.ok) return result.state;
    if (result.code !== 'unavailable' || attempt === 5) throw new Error(`transfer ${transferId} did not settle: ${result.code}`);
  }
}

async function balance(system: Started, accountId: string): Promise<number> {
  const result = await system.accounts.inspect(accountId);
  if (!result.ok) throw new Error(`inspect failed: ${result.code}`);
  return (result.state as AccountState).balanceMinor;
}

describe('saga driver', () => {
  it('runs a two-step saga across two actors to completion', async () => {
    const system = start();
    await fund(system, 'alice', 100);
    await transfer(system, 't1', 'alice', ['bob'], 30);
    const state = await settled(system, 't1');
    expect(state.status).toBe('COMPLETED');
    expect(state.outcomes['debit']).toEqual({
      ok: true,
      events: [{ type: 'Debited', transferId: 't1', amountMinor: 30, balanceAfterMinor: 70 }],
    });
    expect(await balance(system, 'alice')).toBe(70);
    expect(await balance(system, 'bob')).toBe(30);
    const entries = await harness.journal.read('transfer:t1', 0, 100);
    expect(entries.map((entry) => entry.commandId)).toEqual(['start', 'step:debit', 'step:credit:0']);
    expect(system.runtime.list().every((actor) => actor.effectsInFlight === 0)).toBe(true);
  });

  it('bounds the effects one actor runs at once and still runs every one', async () => {
    const system = start({ sagaEffectsPerActorMax: 2 });
    await fund(system, 'payer', 1_000);
    const recipients = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    await transfer(system, 'fan', 'payer', recipients, 10);
    expect(await settled(system, 'fan')).toMatchObject({ status: 'COMPLETED' });
    for (const recipient of recipients) expect(await balance(system, recipient)).toBe(10);
    expect(await balance(system, 'payer')).toBe(930);
  });

  it('queues effects beyond the global bound and runs them as slots free up', async () => {
    const system = start({ sagaEffectsMax: 1 });
    const ids = ['g0', 'g1', 'g2', 'g3', 'g4'];
    for (const id of ids) await fund(system, `payer-${id}`, 50);
    await Promise.all(ids.map((id) => transfer(system, id, `payer-${id}`, ['sink'], 10)));
    for (const id of ids) expect(await settled(system, id)).toMatchObject({ status: 'COMPLETED' });
    expect(await balance(system, 'sink')).toBe(50);
    expect(system.runtime.sagaStats()).toEqual({ effectsInFlight: 0, effectsQueued: 0, waiters: 0 });
  });

  it('retries a step after a transient failure, and the target applies it once', async () => {
    const { journal, control } = controlledJournal(harness.journal);
    const system = start(entryPerBatch, journal);
    await fund(system, 'alice', 100);
    control.failures.set('account:alice', 2);
    await transfer(system, 't2', 'alice', ['bob'], 40);
    expect(await settled(system, 't2')).toMatchObject({ status: 'COMPLETED' });
    expect(control.attempts.filter((attempt) => attempt === 'account:alice debit:t2')).toHaveLength(3);
    expect(await harness.journal.read('account:alice', 0, 100)).toHaveLength(2);
    expect(await balance(system, 'alice')).toBe(60);
  });

  it('feeds a rejection back to the saga as a failed outcome', async () => {
    const system = start();
    await fund(system, 'alice', 10);
    await transfer(system, 't3', 'alice', ['bob'], 30);
    const state = await settled(system, 't3');
    expect(state.status).toBe('FAILED');
    expect(state.failure).toEqual({ code: 'insufficient_funds', message: 'balance 10 < 30' });
    expect(state.outcomes['debit']).toEqual({ ok: false, code: 'insufficient_funds', message: 'balance 10 < 30' });
    expect(await balance(system, 'bob')).toBe(0);
    expect(await harness.journal.lastSeq('account:bob')).toBe(0);
  });

  it('after a crash mid-step, re-runs the step exactly once in effect and records the original events', async () => {
    // The first node debits Alice, then dies before the transfer journals the outcome.
    const { journal, control } = controlledJournal(harness.journal);
    const first = start({ askTimeoutMs: 1_000, ...entryPerBatch }, journal);
    control.hold((key, entry) => key === 'transfer:t4' && entry.commandId === 'step:debit');
    await fund(first, 'alice', 100);
    await transfer(first, 't4', 'alice', ['bob'], 25);
    await eventually(() => control.held.length === 1, 5_000, 'the outcome append is held');
    // The debit's record is held, so its step stays in flight (later steps may run ahead of it:
    // saga steps flow between actors before they are durable, DESIGN.md §2a).
    expect(first.runtime.list().find((actor) => actor.key === 'transfer:t4')?.effectsInFlight).toBeGreaterThanOrEqual(1);
    first.runtime.stop();

    const second = start();
    const state = await settled(second, 't4');
    expect(state.status).toBe('COMPLETED');
    // The re-run got Alice's original Debited (balance after the first and only debit).
    expect(state.outcomes['debit']).toEqual({
      ok: true,
      events: [{ type: 'Debited', transferId: 't4', amountMinor: 25, balanceAfterMinor: 75 }],
    });
    const aliceEntries = await harness.journal.read<AccountEvent>('account:alice', 0, 100);
    expect(aliceEntries.map((entry) => entry.commandId)).toEqual(['fund-alice', 'debit:t4']);
    expect(await balance(second, 'alice')).toBe(75);
    expect(await balance(second, 'bob')).toBe(25);
  });

  it('gives up after bounded attempts and runs the step again at the actor\'s next message', async () => {
    const { journal, control } = controlledJournal(harness.journal);
    const system = start({ sagaEffectAttemptsMax: 2, restartsMax: 100, ...entryPerBatch }, journal);
    await fund(system, 'alice', 100);
    control.failures.set('account:alice', 2);
    await transfer(system, 't5', 'alice', ['bob'], 10);
    await eventually(() => system.runtime.list().every((actor) => actor.effectsInFlight === 0), 5_000, 'the step gave up');
    expect(await system.transfers.inspect('t5')).toMatchObject({ state: { status: 'DEBITING' } });
    // That inspect was the actor's next message: the step runs again and now succeeds.
    expect(await settled(system, 't5')).toMatchObject({ status: 'COMPLETED' });
  });

  it('never passivates an actor while its step is in flight', async () => {
    const { journal, control } = controlledJournal(harness.journal);
    const system = start(entryPerBatch, journal);
    await fund(system, 'alice', 100);
    const release = control.hold((key) => key === 'account:alice');
    await transfer(system, 't6', 'alice', ['bob'], 10);
    await eventually(() => control.held.length === 1, 5_000, 'the debit is held');
    expect(system.runtime.passivateIdle(0)).toBe(0);
    expect(system.runtime.isResident('transfer:t6')).toBe(true);
    // Held: the debit's step (and the credit that runs ahead of it speculatively) stay in flight.
    expect(system.runtime.list().find((actor) => actor.key === 'transfer:t6')?.effectsInFlight).toBeGreaterThanOrEqual(1);
    release();
    expect(await settled(system, 't6')).toMatchObject({ status: 'COMPLETED' });
    await eventually(() => system.runtime.list().every((actor) => actor.effectsInFlight === 0 && actor.mailboxDepth === 0));
    const resident = system.runtime.list().length;
    expect(system.runtime.passivateIdle(0)).toBe(resident);
    expect(system.runtime.isResident('transfer:t6')).toBe(false);
  });

  it('stops a settled process at rest once its last step ended, and keeps the actors it asked', async () => {
    const runtime = harness.runtime(fast);
    const accounts = runtime.register(accountDecider);
    const transfers = runtime.register({ ...transferDecider, kind: 'resting-transfer', atRest: isSettled });
    expect((await accounts.ask('alice', { type: 'Deposit', commandId: 'fund', amountMinor: 100 })).ok).toBe(true);
    expect((await transfers.ask('t9', { type: 'StartTransfer', transferId: 't9', from: 'alice', to: ['bob'], amountMinor: 10 })).ok).toBe(true);
    expect(runtime.isResident('resting-transfer:t9')).toBe(true);
    await eventually(() => !runtime.isResident('resting-transfer:t9'), 5_000, 'the settled transfer stopped');
    // Its steps' targets are not at rest: they stay.
    expect(runtime.isResident('account:alice')).toBe(true);
    expect(await transfers.inspect('t9')).toMatchObject({ ok: true, state: { status: 'COMPLETED' } });
  });

  it('runs no effect after the runtime stopped', async () => {
    const { journal, control } = controlledJournal(harness.journal);
    const system = start({ sagaEffectAttemptsMax: 1_000, sagaRetryBaseMs: 5, sagaRetryMaxMs: 5, restartsMax: 1_000, ...entryPerBatch }, journal);
    await fund(system, 'alice', 100);
    control.failures.set('account:alice', Number.POSITIVE_INFINITY);
    await transfer(system, 't7', 'alice', ['bob'], 10);
    await eventually(() => control.attempts.filter((attempt) => attempt.startsWith('account:alice debit')).length >= 3);
    system.runtime.stop();
    const attemptsAtStop = control.attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(control.attempts.length).toBe(attemptsAtStop);
  });
});

describe('waitFor', () => {
  it('resolves at once when the state already satisfies the predicate', async () => {
    const system = start();
    await fund(system, 'carol', 5);
    const result = await system.accounts.waitFor('carol', (state) => state.balanceMinor === 5, 1_000);
    expect(result).toEqual({ ok: true, seq: 1, state: expect.objectContaining({ balanceMinor: 5 }) });
  });

  it('resolves after the command that makes the predicate true', async () => {
    const system = start();
    const waiting = system.accounts.waitFor('dave', (state) => state.balanceMinor >= 20, 5_000);
    await fund(system, 'dave', 10);
    await system.accounts.ask('dave', { type: 'Deposit', commandId: 'more', amountMinor: 10 });
    expect(await waiting).toMatchObject({ ok: true, seq: 2, state: { balanceMinor: 20 } });
  });

  it('checks a resident actor\'s latest state with no message to it, and a passivated one through an inspect', async () => {
    const system = start();
    await fund(system, 'gina', 7);
    const inspect = vi.spyOn(system.runtime, 'inspectHere');
    try {
      expect(await system.accounts.waitFor('gina', (state) => state.balanceMinor === 7, 1_000)).toMatchObject({ ok: true, seq: 1 });
      expect(inspect).not.toHaveBeenCalled();
      system.runtime.passivateIdle(0);
      expect(await system.accounts.waitFor('gina', (state) => state.balanceMinor === 7, 1_000)).toMatchObject({ ok: true, seq: 1 });
      expect(inspect).toHaveBeenCalledTimes(1);
    } finally {
      inspect.mockRestore();
    }
  });

  it('times out with a Failure when the predicate never holds', async () => {
    const system = start();
    expect(await system.accounts.waitFor('erin', (state) => state.balanceMinor > 0, 50)).toMatchObject({ ok: false, code: 'timeout' });
  });

  it('answers unknown_actor_kind at once', async () => {
    const system = start();
    expect(await system.runtime.waitFor('nope:1', () => true, 5_000)).toMatchObject({ ok: false, code: 'unknown_actor_kind' });
  });

  it('refuses more waiters than the limit', async () => {
    const system = start({ waitersMax: 1 });
    const first = system.accounts.waitFor('frank', () => false, 200);
    expect(await system.accounts.waitFor('frank', () => false, 200)).toMatchObject({ ok: false, code: 'overloaded' });
    expect(await first).toMatchObject({ code: 'timeout' });
  });
});
