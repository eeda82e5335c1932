/** The cluster benchmark's knobs, from the environment (see bench/cluster.bench.ts). */
import { integerFromEnv, quick } from '../lib/options.ts';

export interface ClusterBenchOptions {
  /** PostgreSQL server the private database is made on (and dropped from). */
  readonly serverUrl: string;
  /** Cluster sizes measured, one fresh database and fresh processes each. */
  readonly nodeCounts: readonly number[];
  readonly shardCount: number;
  readonly leaseTtlMs: number;
  /** Buyers (wallets) the deposits go to, registered once per size. */
  readonly buyers: number;
  /** Local and forwarded deposits each, per latency phase. */
  readonly samples: number;
  /** In flight at once in the concurrent latency phase. */
  readonly concurrency: number;
  readonly loopConcurrency: number;
  readonly loopMs: number;
  /** Moved keys followed through a handoff or failover. */
  readonly movedKeys: number;
}

function nodeCountsFromEnv(): number[] {
  const text = process.env['CLUSTER_BENCH_NODES'] ?? '1,2,3';
  const counts = text.split(',').map((part) => Number(part.trim()));
  if (counts.length === 0 || !counts.every((count) => Number.isInteger(count) && count >= 1 && count <= 9)) {
    throw new Error(`CLUSTER_BENCH_NODES must be a comma-separated list of node counts from 1 to 9, got ${JSON.stringify(text)}`);
  }
  return counts;
}

export function clusterBenchOptions(): ClusterBenchOptions {
  return {
    serverUrl: process.env['CLUSTER_BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    nodeCounts: nodeCountsFromEnv(),
    shardCount: integerFromEnv('CLUSTER_BENCH_SHARDS', 256),
    leaseTtlMs: integerFromEnv('CLUSTER_BENCH_TTL_MS', 1_500),
    buyers: integerFromEnv('CLUSTER_BENCH_BUYERS', 24),
    samples: integerFromEnv('CLUSTER_BENCH_SAMPLES', quick ? 60 : 300),
    concurrency: integerFromEnv('CLUSTER_BENCH_CONCURRENCY', 16),
    loopConcurrency: integerFromEnv('CLUSTER_BENCH_LOOP_CONCURRENCY', 32),
    loopMs: integerFromEnv('CLUSTER_BENCH_LOOP_MS', quick ? 2_000 : 6_000),
    movedKeys: integerFromEnv('CLUSTER_BENCH_MOVED_KEYS', 4),
  };
}
