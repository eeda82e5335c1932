/** The cluster benchmark's records, as written to bench/results/cluster.json (one per cluster size). */
import type { Summary } from '../lib/stats.ts';
import type { PhaseCpu } from './cpu-split.ts';
import type { ClusterCounters } from './prometheus.ts';

export interface LatencyPhase {
  /** Deposits in flight at once (1: sequential). */
  readonly concurrency: number;
  /** Sent to the node that owns the wallet. */
  readonly local: Summary;
  /** Sent to a node that does not, so it forwards to the owner; null on one node. */
  readonly forwarded: Summary | null;
  readonly overheadP50Ms: number | null;
  readonly overheadP99Ms: number | null;
  /** Answers other than 200, by `status code`. */
  readonly failures: Record<string, number>;
  /** Over the nodes during the phase (forwardsAnswered should equal the forwarded deposits). */
  readonly counters: ClusterCounters;
  readonly cpu: PhaseCpu | null;
}

export interface ThroughputPhase {
  /** spread: each node in turn, as a round-robin balancer would; byOwner: as routing by key would. */
  readonly routing: 'spread' | 'byOwner';
  readonly concurrency: number;
  readonly seconds: number;
  readonly deposits: number;
  readonly failures: number;
  readonly depositsPerSecond: number;
  readonly latencyMs: Summary;
  readonly forwardsPerSecond: number;
  readonly counters: ClusterCounters;
  readonly cpu: PhaseCpu | null;
}

export interface MovedKeyResult {
  readonly shard: number;
  /** Signal → first 200 on a request sent after the lease left the victim. */
  readonly firstSuccessMs: number | null;
  readonly longestGapMs: number | null;
  /** Signal → the lease table shows the shard no longer the victim's (released or expired). */
  readonly leftOwnerMs: number | null;
  /** Signal → a survivor holds it. */
  readonly claimedMs: number | null;
  readonly attempts: number;
  readonly failures: Record<string, number>;
}

export interface MovePhase {
  readonly victim: string;
  /** SIGTERM: graceful handoff (drain, release, leave); SIGKILL: failover by lease expiry. */
  readonly signal: 'SIGTERM' | 'SIGKILL';
  readonly leaseTtlMs: number;
  readonly shardsMoved: number;
  readonly keysFollowed: number;
  readonly keysServedAgain: number;
  /** Over the keys followed: signal → first success on the moved key. */
  readonly firstSuccessMs: { readonly min: number; readonly max: number } | null;
  /** Signal → every one of the victim's shards held by a survivor (lease table, polled every 10 ms). */
  readonly allShardsClaimedMs: number | null;
  /** Signal → the victim's process exited: a clean stop's drain, release and leave (after a kill,
   *  only how soon this process saw the exit). */
  readonly processExitMs: number;
  /** Why the stop was not clean (a SIGTERM that did not exit 0), or null. */
  readonly stopProblem: string | null;
  readonly keys: readonly MovedKeyResult[];
  /** Over the survivors, during the phase. */
  readonly counters: ClusterCounters;
  readonly cpu: PhaseCpu | null;
}

export interface SizeResult {
  readonly nodes: number;
  /** Each node's start (spawn → listening), in order. */
  readonly startMs: readonly number[];
  /** Last node up → every shard leased where rendezvous hashing places it, plus one TTL for the caches. */
  readonly settleMs: number;
  readonly buyers: number;
  /** The cores the nodes used idle (no requests) for a few seconds after the warm-up. */
  readonly idleCpu: PhaseCpu | null;
  readonly latency: readonly LatencyPhase[];
  readonly throughput: readonly ThroughputPhase[];
  readonly handoff: MovePhase | null;
  readonly failover: MovePhase | null;
  /** bazaary_cluster_fenced_batches_total summed over every node process of this size, each at its last scrape. */
  readonly fencedBatches: number;
}
