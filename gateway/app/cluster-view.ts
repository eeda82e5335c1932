/**
 * The operators' cluster view (issue #16; route: gateway/routes/admin-cluster.ts): the nodes and
 * shard leases as the database holds them, aged by its clock, and the ownership changes the
 * answering node has seen (runtime/cluster/handoff-history.ts). It reads the running system,
 * which only the composition root holds.
 */
import type { ClusterDto, ClusterShardDto } from '../admin-api-types.ts';
import type { BazaarySystem } from './system.ts';

export interface ClusterViewQuery {
  /** Only this node's shards; every shard when absent. */
  readonly owner?: string | undefined;
  readonly handoffs: number;
}

/** Shown under the page's "Cluster mode is off", so it starts with why. */
const offReason = 'CLUSTER_NODE_ID is not set, so this process is the only node and serves every key itself. Cluster mode needs DATABASE_URL (PostgreSQL) and a CLUSTER_NODE_ID per process; see the README, "Running several nodes".';

export async function clusterViewOf(system: BazaarySystem, query: ClusterViewQuery): Promise<ClusterDto> {
  const { cluster, clusterTables, handoffs, config } = system;
  if (cluster === undefined || clusterTables === undefined || handoffs === undefined || config.cluster === undefined) return { enabled: false, reason: offReason };
  const [nowMs, nodes, leases] = await Promise.all([clusterTables.databaseNowMs(), clusterTables.nodes(), clusterTables.leases()]);
  const shards: ClusterShardDto[] = leases.map((lease) => ({
    shard: lease.shard,
    owner: lease.live ? lease.owner : null,
    epoch: lease.epoch,
    expiresInMs: lease.live && lease.expiresAtMs !== null ? Math.max(0, lease.expiresAtMs - nowMs) : null,
  }));
  const owned = new Map<string, number>();
  for (const shard of shards) if (shard.owner !== null) owned.set(shard.owner, (owned.get(shard.owner) ?? 0) + 1);
  return {
    enabled: true,
    node: cluster.node,
    shardCount: config.cluster.shardCount,
    leaseTtlMs: config.cluster.leaseTtlMs,
    at: nowMs,
    nodes: nodes.map((node) => ({ ...node, shards: owned.get(node.node) ?? 0 })),
    shards: query.owner === undefined ? shards : shards.filter((shard) => shard.owner === query.owner),
    handoffs: handoffs.recent(query.handoffs).map(({ seenAtMs, ...handoff }) => ({ ...handoff, seenAt: seenAtMs })),
    handoffsSince: handoffs.since(),
  };
}
