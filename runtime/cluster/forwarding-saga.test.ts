/**
 * Saga messages between nodes (issue #16, DESIGN.md §2a "nothing leaves the process before it is
 * durable"): on PGlite, with a journal whose batches wait at a gate, a transfer saga whose
 * recipient another node serves. Its credit is forwarded only once the transfer's state that sent
 * it is durable; when that state is rolled back instead, nothing is forwarded at all.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActorRuntime } from '../runtime.ts';
import { accountDecider, type AccountState } from '../testing/account.ts';
import { eventually } from '../testing/controlled-journal.ts';
import { gatedJournal, type Gate } from '../testing/gated-journal.ts';
import { openHarness, type Harness } from '../testing/harness.ts';
import { isSettled, transferDecider } from '../testing/transfer.ts';
import type { ForwardRequest, RemoteAsk } from './forwarding.ts';
import { notOwner, type ShardOwner } from './ownership.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => {
  await harness.reset();
});
afterAll(async () => harness.close());

const other: ShardOwner = { node: 'other', address: 'http://other:3001' };
/** Bob's account lives on the other node; everything else here. */
const refusal = (key: string) => (key === 'account:bob' ? notOwner(key, other) : null);

function start() {
  const { journal, gate, decide } = gatedJournal(harness.journal);
  const calls: { readonly request: ForwardRequest; readonly senderPending: boolean }[] = [];
  const base = harness.runtime({ sagaRetryBaseMs: 5, sagaRetryMaxMs: 20 }, { journal });
  base.stop();
  const remote: RemoteAsk = {
    ask: async (_address, request) => {
      // What the transfer still has to write when its message leaves (must be nothing).
      calls.push({ request, senderPending: runtime.log.hasPending('transfer:t1') });
      return { kind: 'answered', result: { ok: true, seq: 1, events: [{ type: 'Credited' }], duplicate: false, state: {} } };
    },
    read: async () => ({ kind: 'failed', reason: 'this test forwards no reads' }),
  };
  const runtime: ActorRuntime = new ActorRuntime({
    ...base.deps,
    ownership: { refusal, fence: () => undefined },
    forwarding: { directory: { node: 'me', refusal, ownerOf: () => other, leaseEpochOf: () => null, refreshOwners: async () => undefined }, remote },
  });
  harness.adopt(runtime);
  return { runtime, gate, decide, calls, accounts: runtime.register(accountDecider), transfers: runtime.register(transferDecider) };
}

async function funded(system: ReturnType<typeof start>): Promise<void> {
  system.gate.open = true;
  expect(await system.accounts.ask('alice', { type: 'Deposit', commandId: 'fund', amountMinor: 100 })).toMatchObject({ ok: true });
  system.gate.open = false;
}

function settleHeld(gate: Gate, decide: (verdict: boolean) => void, verdict: boolean): void {
  while (gate.verdicts.length > 0) decide(verdict);
}

const balanceOf = async (system: ReturnType<typeof start>, id: string) => ((await system.accounts.inspect(id)) as { state: AccountState }).state.balanceMinor;

describe('a saga message to an actor on another node', () => {
  it('is forwarded only once the state that sent it is durable', async () => {
    const system = start();
    await funded(system);
    const started = system.transfers.ask('t1', { type: 'StartTransfer', transferId: 't1', from: 'alice', to: ['bob'], amountMinor: 30 });
    // The start and the local debit run ahead of the disk; the credit waits for them.
    await eventually(() => system.gate.held > 0, 2_000, 'a batch held');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(system.calls).toEqual([]);

    system.gate.open = true;
    settleHeld(system.gate, system.decide, true);
    expect(await started).toMatchObject({ ok: true });
    expect(await system.transfers.waitFor('t1', isSettled, 5_000)).toMatchObject({ ok: true, state: { status: 'COMPLETED' } });
    expect(system.calls.length).toBeGreaterThanOrEqual(1);
    expect(system.calls[0]?.request).toMatchObject({ key: 'account:bob', command: { type: 'Credit', transferId: 't1', amountMinor: 30 } });
    expect(system.calls.every((call) => !call.senderPending)).toBe(true);
    expect(await balanceOf(system, 'alice')).toBe(70);
    expect(system.runtime.forwardStats()?.outcomes.answered).toBeGreaterThanOrEqual(1);
  });

  it('never leaves when the state that sent it is rolled back', async () => {
    const system = start();
    await funded(system);
    const started = system.transfers.ask('t1', { type: 'StartTransfer', transferId: 't1', from: 'alice', to: ['bob'], amountMinor: 30 });
    await eventually(() => system.gate.held > 0, 2_000, 'a batch held');
    // Every batch from here on is refused, as in a store outage: the transfer never happened.
    const until = performance.now() + 300;
    while (performance.now() < until) {
      settleHeld(system.gate, system.decide, false);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await started).toMatchObject({ ok: false });
    system.gate.open = true;
    settleHeld(system.gate, system.decide, true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(system.calls).toEqual([]);
    expect(await balanceOf(system, 'alice')).toBe(100);
    expect(await system.transfers.inspect('t1')).toMatchObject({ ok: true, state: { status: 'NEW' } });
  });
});
