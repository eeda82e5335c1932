/**
 * The environment of one cluster node in the int tests (cluster, forwarding, timers, the cluster
 * view): the same database, shard count, lease TTL and secret on every node, its own id, and an
 * internal port the other nodes reach on loopback. Tests add what else they set.
 */
export interface ClusterNodeEnv {
  readonly databaseUrl: string;
  readonly node: string;
  readonly shards: number;
  readonly leaseTtlMs: number;
  readonly port: number;
  readonly secret?: string;
  /** Where the other nodes send forwards; loopback on `port` unless a test names another. */
  readonly address?: string;
}

export const clusterTestSecret = 'cluster-test-secret-of-32-characters';

export function clusterNodeEnv(node: ClusterNodeEnv): Record<string, string> {
  return {
    DATABASE_URL: node.databaseUrl,
    CLUSTER_NODE_ID: node.node,
    CLUSTER_SHARDS: String(node.shards),
    CLUSTER_LEASE_TTL_MS: String(node.leaseTtlMs),
    CLUSTER_PORT: String(node.port),
    CLUSTER_ADDRESS: node.address ?? `http://127.0.0.1:${node.port}`,
    CLUSTER_SECRET: node.secret ?? clusterTestSecret,
  };
}
