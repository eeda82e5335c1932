/**
 * Forwarding's series in /metrics (cluster mode only): how forwarded commands and reads ended,
 * resends, latency.
 */
import { forwardOutcomes, type ForwardStats } from '../../runtime/cluster/forwarding.ts';

/** Forwarding (runtime/cluster/forwarding.ts): how forwards ended, resends, and their latency. */
export function forwardGauges(stats: ForwardStats | undefined) {
  if (stats === undefined) return {};
  return {
    bazaary_cluster_forwards_total: {
      help: 'Commands forwarded to the node that owns their key, by how they ended: answered by the owner, run here after all (local), unavailable, or rolled_back (a saga message whose cause was lost before it could leave).',
      value: forwardOutcomes.map((outcome) => ({ labels: { outcome }, value: stats.outcomes[outcome] })),
    },
    bazaary_cluster_forwarded_reads_total: {
      help: 'Reads (an inspect, or a wait for a named state) forwarded to the node that owns their key, by how they ended: answered by the owner, read here after all (local), or unavailable.',
      value: forwardOutcomes.filter((outcome) => outcome !== 'rolled_back').map((outcome) => ({ labels: { outcome }, value: stats.readOutcomes[outcome] })),
    },
    bazaary_cluster_forward_misdirected_total: { help: 'Forward sends answered 421 by a node that does not own the key (each followed by a lease read).', value: stats.misdirected },
    bazaary_cluster_forward_failed_sends_total: { help: 'Forward sends that got no answer (refused connection, reset, timeout).', value: stats.failedSends },
    bazaary_cluster_forward_seconds_sum: { help: 'Total time of answered forwards, every attempt included.', value: stats.latencySumMs / 1000 },
    bazaary_cluster_forward_seconds_count: { help: 'Answered forwards.', value: stats.latencyCount },
    bazaary_cluster_forward_last_seconds: { help: 'Time of the latest answered forward.', value: (stats.lastLatencyMs ?? 0) / 1000 },
  };
}
