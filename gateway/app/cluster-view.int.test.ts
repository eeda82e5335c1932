/**
 * The operators' cluster view (GET /api/admin/cluster) on a real PostgreSQL (DATABASE_URL), two
 * gateways as two cluster nodes on one fresh database, 16 shards, leases of 1.5 s: both nodes
 * listed live with a fresh heartbeat and their shard counts, every shard owned once with its
 * epoch and a lease expiry within one TTL, one node's shards alone with ?owner=; and after one
 * node stops cleanly, the survivor's answer shows its shards handed over (from the stopped node
 * to the survivor, at a higher epoch) and the stopped node gone from the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterDto, ClusterOnDto } from '../admin-api-types.ts';
import type { AuthDto } from '../api-types.ts';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';
import { createFreshDatabase, type FreshDatabase } from '../../persistence/adapters/testing/fresh-database.ts';
import { eventually } from '../../runtime/testing/controlled-journal.ts';
import { eventually as eventuallyValue, startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { clusterNodeEnv } from '../testing/cluster-env.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') console.warn('cluster-view.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');

const shardCount = 16;
const leaseTtlMs = 1_500;

describe.skipIf(databaseUrl === '')('the operators\' cluster view over two nodes', () => {
  let database: FreshDatabase;
  const gateways: TestGateway[] = [];
  let a: TestGateway;
  let b: TestGateway;
  let admin: AuthDto;

  const startNode = async (node: string): Promise<TestGateway> => {
    const port = await freePort();
    const gateway = await startTestGateway({
      ...clusterNodeEnv({ databaseUrl: database.url, node, shards: shardCount, leaseTtlMs, port }),
      JWT_SECRET: 'cluster-view-jwt-secret-of-32-chars!!',
    });
    gateways.push(gateway);
    return gateway;
  };

  const view = async (gateway: TestGateway, query = ''): Promise<ClusterOnDto> => {
    const response = await gateway.call('GET', `/api/admin/cluster${query}`, { token: admin.token });
    expect(response.status).toBe(200);
    const body = response.body as ClusterDto;
    if (!body.enabled) throw new Error(`cluster mode is off: ${body.reason}`);
    return body;
  };

  beforeAll(async () => {
    database = await createFreshDatabase(databaseUrl, 'cluster_view');
    a = await startNode('a');
    b = await startNode('b');
    admin = await a.admin();
    await eventually(() => {
      const owned = [a, b].flatMap((gateway) => gateway.gateway.system.cluster?.ownedShards() ?? []);
      return owned.length === shardCount && new Set(owned).size === shardCount && [a, b].every((gateway) => (gateway.gateway.system.cluster?.ownedShards().length ?? 0) > 0);
    }, 6 * leaseTtlMs);
  }, 60_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close().catch(() => undefined);
    await database?.drop();
  });

  it('lists both nodes live, every shard owned once with its epoch and expiry, and one node\'s shards with ?owner=', { timeout: 30_000 }, async () => {
    const seen = await view(b);
    expect(seen).toMatchObject({ enabled: true, node: 'b', shardCount, leaseTtlMs });
    expect(seen.nodes.map(({ node, live }) => ({ node, live }))).toEqual([{ node: 'a', live: true }, { node: 'b', live: true }]);
    for (const node of seen.nodes) {
      // Heartbeats come every TTL/4; on a busy machine allow a whole TTL.
      expect(node.heartbeatAgeMs).toBeLessThanOrEqual(leaseTtlMs);
      expect(node.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(seen.shards.map((shard) => shard.shard)).toEqual([...Array(shardCount).keys()]);
    for (const shard of seen.shards) {
      expect(['a', 'b']).toContain(shard.owner);
      expect(shard.epoch).toBeGreaterThanOrEqual(1);
      expect(shard.expiresInMs).toBeGreaterThan(0);
      expect(shard.expiresInMs).toBeLessThanOrEqual(leaseTtlMs);
    }
    const counts = Object.fromEntries(seen.nodes.map((node) => [node.node, node.shards]));
    expect((counts['a'] ?? 0) + (counts['b'] ?? 0)).toBe(shardCount);
    expect(counts['a']).toBe(seen.shards.filter((shard) => shard.owner === 'a').length);
    // The tables agree with what each node serves.
    expect(seen.shards.filter((shard) => shard.owner === 'b').map((shard) => shard.shard)).toEqual(b.gateway.system.cluster?.ownedShards());

    const onlyA = await view(b, '?owner=a&handoffs=0');
    expect(onlyA.shards.map((shard) => shard.shard)).toEqual(a.gateway.system.cluster?.ownedShards());
    expect(onlyA.handoffs).toEqual([]);
    expect(onlyA.nodes).toHaveLength(2);
    // B started after A, which held every shard: B's history shows it taking each of its shards
    // from A (A's release and B's claim, or both as one move).
    expect(seen.handoffsSince).not.toBeNull();
    for (const shard of seen.shards.filter((each) => each.owner === 'b')) {
      const changes = seen.handoffs.filter((handoff) => handoff.shard === shard.shard);
      expect(changes.find((handoff) => handoff.change === 'claim' && handoff.to === 'b' && handoff.epoch === shard.epoch), JSON.stringify(changes)).toBeDefined();
      expect(changes.some((handoff) => handoff.from === 'a'), JSON.stringify(changes)).toBe(true);
    }
  });

  it('shows the survivor taking a stopped node\'s shards at a higher epoch, and the stopped node gone', { timeout: 30_000 }, async () => {
    const before = await view(a);
    const bShards = before.shards.filter((shard) => shard.owner === 'b');
    expect(bShards.length).toBeGreaterThan(0);
    await b.close();
    const after = await eventuallyValue(async () => {
      const seen = await view(a);
      return seen.shards.every((shard) => shard.owner === 'a') ? seen : null;
    }, 6 * leaseTtlMs);
    expect(after.nodes.map((node) => node.node)).toEqual(['a']);
    expect(after.nodes[0]?.shards).toBe(shardCount);
    for (const moved of bShards) {
      const now = after.shards.find((shard) => shard.shard === moved.shard);
      expect(now?.epoch).toBe(moved.epoch + 1);
      // A saw the move: b's release and its own claim, either as two changes or, when both fell
      // between two of its reads, as one.
      const changes = after.handoffs.filter((handoff) => handoff.shard === moved.shard && handoff.epoch >= moved.epoch);
      const claim = changes.find((handoff) => handoff.change === 'claim' && handoff.to === 'a' && handoff.epoch === moved.epoch + 1);
      expect(claim, JSON.stringify(changes)).toBeDefined();
      const release = changes.find((handoff) => handoff.change === 'release' && handoff.from === 'b');
      expect(release !== undefined || claim?.from === 'b', JSON.stringify(changes)).toBe(true);
    }
    // Newest first.
    const times = after.handoffs.map((handoff) => handoff.seenAt);
    expect([...times].sort((left, right) => right - left)).toEqual(times);
  });
});
