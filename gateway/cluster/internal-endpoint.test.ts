/**
 * The internal endpoint's handler without sockets: the secret is checked before anything else
 * (401 without it, 403 with a wrong one, and the command never runs), a key this node does not
 * serve, or serves under an older epoch than the sender saw, is answered 421 with the owner it
 * knows, and a served key runs through `askHere` within the sender's deadline.
 */
import { describe, expect, it } from 'vitest';
import { notOwner } from '../../runtime/cluster/ownership.ts';
import type { DispatchRequest } from '../uws.ts';
import { clusterSecretHeader, forwardPath, handleInternal, secretMatches, type InternalEndpointPorts } from './internal-endpoint.ts';

const secret = 'internal-endpoint-secret-32-chars!!';
const accepted = { ok: true as const, seq: 3, events: [{ type: 'Deposited' }], duplicate: false, state: { balanceMinor: 5 } };

function ports(overrides: Partial<InternalEndpointPorts> = {}) {
  const asked: { key: string; command: unknown; timeoutMs: number }[] = [];
  const value: InternalEndpointPorts = {
    secret,
    maxDeadlineMs: 5_000,
    askHere: async (key, command, timeoutMs) => (asked.push({ key, command, timeoutMs }), accepted),
    refusal: () => null,
    heldEpochOf: () => 4,
    ...overrides,
  };
  return { value, asked };
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

  it('compares secrets whatever their lengths', () => {
    expect(secretMatches(secret, secret)).toBe(true);
    expect(secretMatches(`${secret}!`, secret)).toBe(false);
    expect(secretMatches('', secret)).toBe(false);
  });
});
