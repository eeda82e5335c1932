/**
 * Reads between nodes (issue #16) through a real runtime on PGlite, with a fake lease cache and a
 * fake remote: an inspect of a key another node serves returns that node's inspection; a wait by
 * a registered predicate name travels as that name and the owner's answer comes back; a wait by
 * function on such a key answers `not_owner` at once instead of sitting until its timeout; the
 * keys this node serves are read and awaited here, with nothing sent. A forwarded wait's name is
 * looked up in the kind's own predicates only (`constructor` is no predicate). A wait here whose
 * shard is dropped (lost or handed off) goes on at the owner.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActorRuntime } from '../runtime.ts';
import { accountDecider } from '../testing/account.ts';
import { openHarness, type Harness } from '../testing/harness.ts';
import { isSettled, transferDecider } from '../testing/transfer.ts';
import type { ReadRequest, RemoteAsk } from './forwarding.ts';
import { notOwner, type ShardOwner } from './ownership.ts';
import { shardOf } from '../../persistence/cluster/shards.ts';
import { failure } from '../ask.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => {
  await harness.reset();
});
afterAll(async () => harness.close());

const other: ShardOwner = { node: 'other', address: 'http://other:3001' };
/** Bob's account and transfer t-far live on the other node; everything else here. */
const remoteKeys = new Set(['account:bob', 'transfer:t-far']);
const refusal = (key: string) => (remoteKeys.has(key) ? notOwner(key, other) : null);
const farInspection = { ok: true as const, state: { balanceMinor: 4_200 }, seq: 9 };
const farTransfer = { ok: true as const, state: { status: 'COMPLETED' }, seq: 3 };

function start() {
  const reads: { readonly address: string; readonly request: ReadRequest }[] = [];
  const base = harness.runtime();
  base.stop();
  const remote: RemoteAsk = {
    ask: async () => ({ kind: 'failed', reason: 'this test forwards no commands' }),
    read: async (address, request) => {
      reads.push({ address, request });
      return { kind: 'answered', result: request.read.kind === 'inspect' ? farInspection : farTransfer };
    },
  };
  const runtime = new ActorRuntime({
    ...base.deps,
    ownership: { refusal, fence: () => undefined },
    forwarding: { directory: { node: 'me', refusal, ownerOf: () => other, leaseEpochOf: () => 5, refreshOwners: async () => undefined }, remote },
  });
  harness.adopt(runtime);
  return { runtime, reads, accounts: runtime.register(accountDecider), transfers: runtime.register(transferDecider, { settled: isSettled }) };
}

describe('reads of a key another node serves', () => {
  it('inspects at the owner and returns its durable inspection', async () => {
    const system = start();
    expect(await system.accounts.inspect('bob')).toEqual(farInspection);
    expect(system.reads).toEqual([{ address: other.address, request: expect.objectContaining({ key: 'account:bob', read: { kind: 'inspect' }, epochSeen: 5 }) }]);
    expect(system.runtime.isResident('account:bob')).toBe(false);
    expect(system.runtime.forwardStats()?.readOutcomes.answered).toBe(1);
  });

  it('sends a named wait as its name, and the owner\'s answer comes back', async () => {
    const system = start();
    expect(await system.transfers.waitFor('t-far', 'settled', 5_000)).toEqual(farTransfer);
    expect(system.reads).toHaveLength(1);
    expect(system.reads[0]?.request).toMatchObject({ key: 'transfer:t-far', read: { kind: 'wait', predicate: 'settled' } });
    expect(system.reads[0]?.request.deadlineMs).toBeGreaterThan(4_000);
    expect(system.runtime.sagaStats().waiters).toBe(0);
  });

  it('answers a wait by function not_owner at once, not after its timeout', async () => {
    const system = start();
    const startedAt = performance.now();
    expect(await system.transfers.waitFor('t-far', isSettled, 5_000)).toMatchObject({ ok: false, code: 'not_owner' });
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(system.reads).toEqual([]);
  });
});

describe('reads of a key this node serves', () => {
  it('inspects and waits here by name, sending nothing', async () => {
    const system = start();
    expect(await system.accounts.ask('alice', { type: 'Deposit', commandId: 'fund', amountMinor: 100 })).toMatchObject({ ok: true });
    expect(await system.accounts.inspect('alice')).toMatchObject({ ok: true, state: { balanceMinor: 100 } });
    expect(await system.transfers.ask('t1', { type: 'StartTransfer', transferId: 't1', from: 'alice', to: ['carol'], amountMinor: 30 })).toMatchObject({ ok: true });
    expect(await system.transfers.waitFor('t1', 'settled', 5_000)).toMatchObject({ ok: true, state: { status: 'COMPLETED' } });
    expect(await system.accounts.inspect('carol')).toMatchObject({ ok: true, state: { balanceMinor: 30 } });
    expect(system.reads).toEqual([]);
    expect(system.runtime.forwardStats()?.readOutcomes).toEqual({ answered: 0, local: 0, unavailable: 0, rolled_back: 0 });
  });

  it('sends a wait here on to the owner when its shard is dropped mid-wait', async () => {
    const system = start();
    // t3 never starts, so it never settles here.
    const waiting = system.transfers.waitFor('t3', 'settled', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(system.reads).toEqual([]);
    const startedAt = performance.now();
    system.runtime.dropShards(new Set([shardOf('transfer:t3', 16)]), 16, failure('unavailable', 'handed off'));
    expect(await waiting).toEqual(farTransfer);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(system.reads[0]?.request).toMatchObject({ key: 'transfer:t3', read: { kind: 'wait', predicate: 'settled' } });
    expect(system.runtime.sagaStats().waiters).toBe(0);
  });

  it('runs a forwarded wait by the kind\'s registered name only', async () => {
    const system = start();
    expect(await system.accounts.ask('alice', { type: 'Deposit', commandId: 'fund', amountMinor: 100 })).toMatchObject({ ok: true });
    expect(await system.transfers.ask('t2', { type: 'StartTransfer', transferId: 't2', from: 'alice', to: ['carol'], amountMinor: 10 })).toMatchObject({ ok: true });
    expect(await system.runtime.waitNamedHere('transfer:t2', 'settled', 5_000)).toMatchObject({ ok: true, state: { status: 'COMPLETED' } });
    expect(await system.runtime.waitNamedHere('transfer:t2', 'constructor', 5_000)).toMatchObject({ ok: false, code: 'unknown_predicate' });
    // Accounts registered no predicates at all.
    expect(await system.runtime.waitNamedHere('account:alice', 'settled', 5_000)).toMatchObject({ ok: false, code: 'unknown_predicate' });
  });
});
