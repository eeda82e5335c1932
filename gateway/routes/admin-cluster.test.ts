/**
 * GET /api/admin/cluster on an embedded gateway (cluster mode off): operators only, bad input
 * answered 400 `invalid_request` naming the field, and an answer that says cluster mode is off
 * and why. The cluster-mode answer is proved on PostgreSQL with two nodes
 * (gateway/app/cluster-view.int.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterDto } from '../admin-api-types.ts';
import type { AuthDto } from '../api-types.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

let harness: TestGateway;
let admin: AuthDto;
let buyer: AuthDto;

beforeAll(async () => {
  harness = await startTestGateway();
  admin = await harness.admin();
  buyer = await harness.register('cluster-view-buyer@example.test', 'BUYER');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('GET /api/admin/cluster with cluster mode off', () => {
  it('says cluster mode is off and what turns it on', async () => {
    const response = await harness.call('GET', '/api/admin/cluster', { token: admin.token });
    expect(response.status).toBe(200);
    const body = response.body as ClusterDto;
    expect(body.enabled).toBe(false);
    if (body.enabled) return;
    expect(body.reason).toContain('CLUSTER_NODE_ID');
    expect(body.reason).toContain('DATABASE_URL');
  });

  it('answers only operators', async () => {
    expect((await harness.call('GET', '/api/admin/cluster')).status).toBe(401);
    const asBuyer = await harness.call('GET', '/api/admin/cluster', { token: buyer.token });
    expect(asBuyer.status).toBe(403);
    expect(asBuyer.body).not.toHaveProperty('enabled');
  });

  it.each([
    ['handoffs=-1', 'handoffs'],
    ['handoffs=ten', 'handoffs'],
    ['handoffs=1025', 'handoffs: must be at most 1024'],
    ['owner=', 'owner'],
    ['owner=../etc', 'owner: must be a node name'],
    [`owner=${'n'.repeat(64)}`, 'owner'],
  ])('refuses ?%s with 400 invalid_request naming the field', async (query, message) => {
    const response = await harness.call('GET', `/api/admin/cluster?${query}`, { token: admin.token });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toContain(message);
  });

  it('takes a well-formed owner and handoff count', async () => {
    const response = await harness.call('GET', '/api/admin/cluster?owner=node-a&handoffs=0', { token: admin.token });
    expect(response.status).toBe(200);
    expect(response.body.enabled).toBe(false);
  });
});
