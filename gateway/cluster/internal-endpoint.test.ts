/**
 * The internal endpoint's handler without sockets: the secret is checked before anything else
 * (401 without it, 403 with a wrong one, and the command never runs), a key this node does not
 * serve, or serves under an older epoch than the sender saw, is answered 421 with the owner it
 * knows, and a served key runs through `askHere` within the sender's deadline. Reads: an inspect
 * or a named wait runs here within the deadline (capped), a bad read is a 400 with a stable code,
 * and an unknown predicate name is 400 `unknown_predicate`.
 */
import { describe, expect, it } from 'vitest';
import { notOwner } from '../../runtime/cluster/ownership.ts';
import type { DispatchRequest } from '../uws.ts';
import { clusterSecretHeader, forwardPath, handleInternal, readPath, secretMatches, type InternalEndpointPorts } from './internal-endpoint.ts';
import { failure } from '../../runtime/ask.ts';

const secret = 'internal-endpoint-secret-32-chars!!';
const inspection = { ok: true as const, state: { balanceMinor: 5 }, seq: 3 };
const accepted = { ok: true as const, seq: 3, events: [{ type: 'Deposited' }], duplicate: false, state: { balanceMinor: 5 } };

function ports(overrides: Partial<InternalEndpointPorts> = {}) {
  const asked: { key: string; command: unknown; timeoutMs: number }[] = [];
  const read: { key: string; read: string; timeoutMs: number }[] = [];
  const value: InternalEndpointPorts = {
    secret,
    maxDeadlineMs: 5_000,
    maxWaitMs: 20_000,
    askHere: async (key, command, timeoutMs) => (asked.push({ key, command, timeoutMs }), accepted),
    inspectHere: async (key, timeoutMs) => (read.push({ key, read: 'inspect', timeoutMs }), inspection),
    waitHere: async (key, name, timeoutMs) => {
      read.push({ key, read: `wait:${name}`, timeoutMs });
      return name === 'settled' ? inspection : failure('unknown_predicate', `no predicate named ${name}`);
    },
    refusal: () => null,
    heldEpochOf: () => 4,
    ...overrides,
  };
  return { value, asked, read };
}

function request(body: unknown, headers: Record<string, string> = { [clusterSecretHeader]: secret }, path = forwardPath, method = 'POST'): DispatchRequest {
  return { method, path, query: new URLSearchParams(), headers, body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)), ip: '127.0.0.1' };
}

const forward = { key: 'wallet:u1', command: { type: 'Deposit', commandId: 'c1', amountMinor: 5 }, epochSeen: 4, deadlineMs: 900 };

describe('handleInternal', () => {
  it('refuses without the secret (401) and with a wrong one (403), running nothing', async () => {
    const { value, asked } = ports();
    expect((await handleInternal(request(forward, {}), value)).status).toBe(401);
    expect((await handleInternal(request(forward, { [clusterSecretHeader]: '' }), value)).status).toBe(401);
    expect((await handleInternal(request(forward, { [clusterSecretHeader]: 'x'.repeat(secret.length) }), value)).status).toBe(403);
    expect((await handleInternal(request(forward, { authorization: `Bearer ${secret}` }), value)).status).toBe(401);
    expect(asked).toEqual([]);
  });

  it('serves only POST /internal/forward with a well-formed body', async () => {
    const { value, asked } = ports();
    expect((await handleInternal(request(forward, undefined, '/api/wallet'), value)).status).toBe(404);
    expect((await handleInternal(request(forward, undefined, forwardPath, 'GET'), value)).status).toBe(405);
    expect((await handleInternal(request('{not json'), value)).status).toBe(400);
    expect((await handleInternal(request({ ...forward, deadlineMs: 0 }), value)).status).toBe(400);
    expect((await handleInternal(request({ ...forward, command: 'Deposit' }), value)).status).toBe(400);
    expect(asked).toEqual([]);
  });

  it('runs a served key within the sender\'s deadline, capped, and answers its result', async () => {
    const { value, asked } = ports();
    expect(await handleInternal(request(forward), value)).toEqual({ status: 200, body: { kind: 'json', value: accepted } });
    await handleInternal(request({ ...forward, deadlineMs: 60_000 }), value);
    expect(asked.map((each) => each.timeoutMs)).toEqual([900, 5_000]);
    expect(asked[0]).toMatchObject({ key: 'wallet:u1', command: forward.command });
  });

  it('answers 421 with its view of the owner for a key it does not serve, or holds under an older epoch', async () => {
    const owner = { node: 'b', address: 'http://b:3001' };
    const elsewhere = ports({ refusal: (key) => notOwner(key, owner) });
    expect(await handleInternal(request(forward), elsewhere.value)).toEqual({ status: 421, body: { kind: 'json', value: { owner } } });
    const stale = ports({ heldEpochOf: () => 3 });
    expect(await handleInternal(request({ ...forward, epochSeen: 5 }), stale.value)).toEqual({ status: 421, body: { kind: 'json', value: { owner: null } } });
    // An older epoch seen by the sender is fine: this node took the shard since.
    expect((await handleInternal(request({ ...forward, epochSeen: 2 }), stale.value)).status).toBe(200);
    expect(elsewhere.asked).toEqual([]);
  });

  it('answers a forwarded inspect and a named wait from this node, within the deadline, capped', async () => {
    const { value, read } = ports();
    const inspect = { key: 'wallet:u1', read: { kind: 'inspect' }, epochSeen: 4, deadlineMs: 900 };
    expect(await handleInternal(request(inspect, undefined, readPath), value)).toEqual({ status: 200, body: { kind: 'json', value: inspection } });
    const wait = { key: 'checkout:c1', read: { kind: 'wait', predicate: 'settled' }, epochSeen: null, deadlineMs: 15_000 };
    expect((await handleInternal(request(wait, undefined, readPath), value)).status).toBe(200);
    await handleInternal(request({ ...wait, deadlineMs: 600_000 }, undefined, readPath), value);
    await handleInternal(request({ ...inspect, deadlineMs: 600_000 }, undefined, readPath), value);
    // An inspect is capped like a command, a wait by the longer wait cap.
    expect(read).toEqual([
      { key: 'wallet:u1', read: 'inspect', timeoutMs: 900 },
      { key: 'checkout:c1', read: 'wait:settled', timeoutMs: 15_000 },
      { key: 'checkout:c1', read: 'wait:settled', timeoutMs: 20_000 },
      { key: 'wallet:u1', read: 'inspect', timeoutMs: 5_000 },
    ]);
  });

  it('refuses a malformed read with a stable 4xx code, and an unknown predicate name with 400 unknown_predicate', async () => {
    const { value, read } = ports();
    const base = { key: 'checkout:c1', epochSeen: null, deadlineMs: 1_000 };
    const codeOf = async (body: unknown) => {
      const response = await handleInternal(request(body, undefined, readPath), value);
      return { status: response.status, code: response.body.kind === 'json' ? (response.body.value as { error?: { code?: string } }).error?.code : undefined };
    };
    expect(await codeOf({ ...base, read: { kind: 'peek' } })).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf({ ...base, read: { kind: 'wait' } })).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf({ ...base, read: { kind: 'wait', predicate: '' } })).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf({ ...base, read: { kind: 'wait', predicate: 'x'.repeat(65) } })).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf({ ...base, read: 'inspect' })).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf({ ...base, deadlineMs: -1, read: { kind: 'inspect' } })).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf({ read: { kind: 'inspect' }, epochSeen: null, deadlineMs: 1_000 })).toEqual({ status: 400, code: 'invalid_request' });
    expect(read).toEqual([]);
    expect(await codeOf({ ...base, read: { kind: 'wait', predicate: 'constructor' } })).toEqual({ status: 400, code: 'unknown_predicate' });
    const raw = await handleInternal(request('{not json', undefined, readPath), value);
    expect(raw.status).toBe(400);
    // Without the secret a read runs nothing either.
    expect((await handleInternal(request({ ...base, read: { kind: 'inspect' } }, {}, readPath), value)).status).toBe(401);
  });

  it('answers 421 to a read of a key it does not serve, or that moved while the read waited', async () => {
    const owner = { node: 'b', address: 'http://b:3001' };
    const inspect = { key: 'wallet:u1', read: { kind: 'inspect' }, epochSeen: 4, deadlineMs: 900 };
    const elsewhere = ports({ refusal: (key) => notOwner(key, owner) });
    expect(await handleInternal(request(inspect, undefined, readPath), elsewhere.value)).toEqual({ status: 421, body: { kind: 'json', value: { owner } } });
    expect(elsewhere.read).toEqual([]);
    const moved = ports({ inspectHere: async (key) => notOwner(key, owner) });
    expect(await handleInternal(request(inspect, undefined, readPath), moved.value)).toEqual({ status: 421, body: { kind: 'json', value: { owner } } });
    const stale = ports({ heldEpochOf: () => 3 });
    expect((await handleInternal(request({ ...inspect, epochSeen: 5 }, undefined, readPath), stale.value)).status).toBe(421);
  });

  it('compares secrets whatever their lengths', () => {
    expect(secretMatches(secret, secret)).toBe(true);
    expect(secretMatches(`${secret}!`, secret)).toBe(false);
    expect(secretMatches('', secret)).toBe(false);
  });
});
