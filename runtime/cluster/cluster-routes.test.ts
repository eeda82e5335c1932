/**
 * The runtime's cluster seam over a fake runtime, lease cache and remote: every path runs here
 * first and forwards only a `not_owner`; a wait checks ownership before it waits here, and goes
 * on at the owner when the shard leaves mid-wait; a saga message leaves only once what it rests
 * on is durable; and the keys of a set of placement shards are told apart by their shard.
 */
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../persistence/cluster/shards.ts';
import { failure } from '../ask.ts';
import { limits } from '../limits.ts';
import { silentLogger } from '../logger.ts';
import { ClusterRoutes, inShards, type LocalRuntime } from './cluster-routes.ts';
import type { ForwardRequest, ReadRequest, RemoteAsk } from './forwarding.ts';
import { notOwner, type ShardOwner } from './ownership.ts';

const b: ShardOwner = { node: 'b', address: 'http://b:3001' };
const accepted = { ok: true as const, seq: 1, events: [], duplicate: false, state: { here: true } };
const hereInspection = { ok: true as const, state: { here: true }, seq: 1 };
const farInspection = { ok: true as const, state: { here: false }, seq: 2 };

function fixture(options: { lost?: boolean } = {}) {
  const remoteKeys = new Set(['wallet:far']);
  const refusal = (key: string) => (remoteKeys.has(key) ? notOwner(key, b) : null);
  const calls: string[] = [];
  const local: LocalRuntime = {
    askHere: async (key) => (calls.push(`ask ${key}`), refusal(key) ?? accepted),
    askFromSagaHere: async (key) => (calls.push(`saga ${key}`), { result: refusal(key) ?? accepted, ticket: 3 }),
    inspectHere: async (key) => (calls.push(`inspect ${key}`), refusal(key) ?? hereInspection),
    // `wallet:moving` is served here until its shard leaves mid-wait (runtime.ts `dropShards`).
    waitHere: async (key) => (calls.push(`wait ${key}`), refusal(key) ?? (key === 'wallet:moving' ? notOwner(key, null) : hereInspection)),
    whenDurableTicket: async (ticket) => (calls.push(`durable ${ticket}`), options.lost === true ? failure('unavailable', 'the batch failed') : null),
  };
  const sent: (ForwardRequest | ReadRequest)[] = [];
  const remote: RemoteAsk = {
    ask: async (_address, request) => (sent.push(request), { kind: 'answered', result: { ...accepted, state: { here: false } } }),
    read: async (_address, request) => (sent.push(request), { kind: 'answered', result: farInspection }),
  };
  const directory = { node: 'a', refusal, ownerOf: () => b, leaseEpochOf: () => 2, refreshOwners: async () => undefined };
  return { routes: new ClusterRoutes({ directory, remote, limits, logger: silentLogger }, local), calls, sent };
}

describe('ClusterRoutes', () => {
  it('answers a served key here, sending nothing', async () => {
    const { routes, calls, sent } = fixture();
    expect(await routes.ask('wallet:near', {}, 1_000)).toEqual(accepted);
    expect(await routes.inspect('wallet:near', 1_000)).toEqual(hereInspection);
    expect(await routes.waitFor('wallet:near', 'settled', () => true, 1_000)).toEqual(hereInspection);
    expect(calls).toEqual(['ask wallet:near', 'inspect wallet:near', 'wait wallet:near']);
    expect(sent).toEqual([]);
  });

  it('forwards a command, an inspect and a named wait for another node\'s key', async () => {
    const { routes, calls, sent } = fixture();
    expect(await routes.ask('wallet:far', { type: 'Deposit' }, 1_000)).toMatchObject({ ok: true, state: { here: false } });
    expect(await routes.inspect('wallet:far', 1_000)).toEqual(farInspection);
    expect(await routes.waitFor('wallet:far', 'settled', () => true, 10_000)).toEqual(farInspection);
    // The wait never registered here: ownership is checked before it.
    expect(calls).toEqual(['ask wallet:far', 'inspect wallet:far']);
    expect(sent).toMatchObject([{ key: 'wallet:far', command: { type: 'Deposit' } }, { read: { kind: 'inspect' } }, { read: { kind: 'wait', predicate: 'settled' } }]);
    expect(routes.stats()).toMatchObject({ outcomes: { answered: 1 }, readOutcomes: { answered: 2 } });
  });

  it('sends a wait on to the owner when the shard leaves while it waits here', async () => {
    const { routes, calls, sent } = fixture();
    expect(await routes.waitFor('wallet:moving', 'settled', () => true, 10_000)).toEqual(farInspection);
    expect(calls).toEqual(['wait wallet:moving']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ key: 'wallet:moving', read: { kind: 'wait', predicate: 'settled' } });
    expect(sent[0]?.deadlineMs).toBeGreaterThan(9_000);
  });

  it('sends a saga message only once what it rests on is durable, and never when it was lost', async () => {
    const durable = fixture();
    expect(await durable.routes.askFromSaga('wallet:far', {}, 'credit', [5, 6], 1_000)).toMatchObject({ result: { ok: true }, ticket: 0 });
    expect(durable.calls).toEqual(['saga wallet:far', 'durable 5', 'durable 6']);
    expect(durable.sent).toHaveLength(1);
    const lost = fixture({ lost: true });
    expect(await lost.routes.askFromSaga('wallet:far', {}, 'credit', [5], 1_000)).toMatchObject({ result: { ok: false, code: 'rolled_back' }, ticket: 0 });
    expect(lost.sent).toEqual([]);
    expect(lost.routes.stats().outcomes.rolled_back).toBe(1);
  });
});

describe('inShards', () => {
  it('picks the keys that fall in the shards, by placement shard', () => {
    const keys = Array.from({ length: 40 }, (_, index) => `wallet:u${index}`);
    const wanted = new Set([1, 5]);
    const found = keys.filter(inShards(wanted, 16));
    expect(found).toEqual(keys.filter((key) => wanted.has(shardOf(key, 16))));
    expect(found.length).toBeGreaterThan(0);
    expect(keys.filter(inShards(new Set(), 16))).toEqual([]);
  });
});
