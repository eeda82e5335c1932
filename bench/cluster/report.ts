/**
 * The cluster benchmark's tables and what its numbers predict for N machines. Pure: from the
 * records (results.ts) to rows and sentences, so the printed tables and the JSON agree.
 */
import { round } from '../lib/stats.ts';
import { printTable, type Cell } from '../lib/table.ts';
import type { MovePhase, SizeResult, ThroughputPhase } from './results.ts';

const dash = '—';
const ms = (value: number | null | undefined): Cell => (value === null || value === undefined || !Number.isFinite(value) ? dash : round(value));
const failureText = (failures: Record<string, number>): string =>
  Object.entries(failures).map(([answer, count]) => `${count}× ${answer}`).join(', ') || '0';

export function latencyRows(sizes: readonly SizeResult[]): Cell[][] {
  return sizes.flatMap((size) =>
    size.latency.map((phase) => [
      size.nodes,
      phase.concurrency,
      ms(phase.local.p50),
      ms(phase.local.p99),
      ms(phase.forwarded?.p50),
      ms(phase.forwarded?.p99),
      ms(phase.overheadP50Ms),
      ms(phase.overheadP99Ms),
      phase.local.count + (phase.forwarded?.count ?? 0),
      failureText(phase.failures),
    ]),
  );
}

/** Node CPU (all node processes) per deposit, in ms: what one deposit costs the cluster. */
export function nodeCpuMsPerDeposit(phase: ThroughputPhase): number | null {
  if (phase.cpu === null || phase.deposits === 0) return null;
  return (phase.cpu.nodesCores * phase.seconds * 1_000) / phase.deposits;
}

export function throughputRows(sizes: readonly SizeResult[]): Cell[][] {
  return sizes.flatMap((size) =>
    size.throughput.map((phase) => [
      size.nodes,
      phase.routing === 'spread' ? (size.nodes === 1 ? 'one node' : 'round robin') : 'by owner',
      round(phase.depositsPerSecond),
      ms(phase.latencyMs.p50),
      ms(phase.latencyMs.p99),
      round(phase.forwardsPerSecond),
      ms(nodeCpuMsPerDeposit(phase)),
      phase.cpu === null ? dash : `${phase.cpu.nodesCores} / ${phase.cpu.postgresCores} / ${phase.cpu.loadGeneratorCores} / ${phase.cpu.otherCores}`,
      phase.failures,
    ]),
  );
}

function moveRow(size: SizeResult, phase: MovePhase): Cell[] {
  const before = phase.keys.reduce<Record<string, number>>((all, key) => {
    for (const [answer, count] of Object.entries(key.failures)) all[answer] = (all[answer] ?? 0) + count;
    return all;
  }, {});
  return [
    size.nodes,
    phase.signal === 'SIGTERM' ? 'handoff (SIGTERM)' : 'failover (SIGKILL)',
    phase.leaseTtlMs,
    phase.shardsMoved,
    phase.firstSuccessMs === null ? 'never' : `${round(phase.firstSuccessMs.min)}–${round(phase.firstSuccessMs.max)}`,
    `${phase.keysServedAgain}/${phase.keysFollowed}`,
    ms(phase.allShardsClaimedMs),
    ms(phase.processExitMs),
    failureText(before),
    phase.counters.fencedBatches,
  ];
}

export function moveRows(sizes: readonly SizeResult[]): Cell[][] {
  return sizes.flatMap((size) => [size.handoff, size.failover].flatMap((phase) => (phase === null ? [] : [moveRow(size, phase)])));
}

export function printClusterTables(sizes: readonly SizeResult[]): void {
  printTable(
    'Forwarding overhead: POST /api/wallet/deposit over HTTP, to the owner (local) vs to another node (forwarded), ms',
    ['nodes', 'in flight', 'local p50', 'local p99', 'fwd p50', 'fwd p99', '+p50', '+p99', 'deposits', 'failures'],
    latencyRows(sizes),
  );
  printTable(
    'Deposit throughput (closed loop)',
    ['nodes', 'routing', 'deposits/s', 'p50 ms', 'p99 ms', 'forwards/s', 'node CPU ms/deposit', 'cores: nodes / postgres / bench / other', 'failures'],
    throughputRows(sizes),
  );
  printTable(
    'Handoff and failover: signal → first success on a moved key, ms',
    ['nodes', 'event', 'TTL ms', 'shards moved', 'first success', 'keys served', 'all shards claimed', 'process exit', 'answers before', 'fenced'],
    moveRows(sizes),
  );
  printTable('Fenced batches (bazaary_cluster_fenced_batches_total, every node process summed)', ['nodes', 'fenced batches'], sizes.map((size) => [size.nodes, size.fencedBatches]));
}

export interface Predictions {
  /** The forward's extra latency on loopback (sequential deposits, the largest cluster measured). */
  readonly forwardHopMs: { readonly p50: number; readonly p99: number } | null;
  /** Node CPU per deposit: local (routed by owner) and the extra a forward adds. */
  readonly nodeCpuMs: { readonly local: number; readonly forwardExtra: number } | null;
  /** For N machines: the mean added latency behind a round-robin balancer, and the nodes' capacity
   *  relative to one machine's (spread: (N-1)/N of commands also pay a forward's CPU). */
  readonly forMachines: readonly { readonly machines: number; readonly meanAddedMsSpread: number | null; readonly relativeCapacitySpread: number | null; readonly relativeCapacityByOwner: number }[];
  readonly failover: { readonly leaseTtlMs: number; readonly firstSuccessMaxMs: number; readonly beyondTtlMs: number } | null;
  readonly handoffFirstSuccessMaxMs: number | null;
  readonly text: readonly string[];
}

const machineCounts = [2, 3, 5, 10];

export function predict(sizes: readonly SizeResult[]): Predictions {
  const largest = [...sizes].sort((left, right) => right.nodes - left.nodes)[0];
  const sequential = largest?.latency.find((phase) => phase.concurrency === 1);
  const forwardHopMs = sequential?.overheadP50Ms != null && sequential.overheadP99Ms != null ? { p50: round(sequential.overheadP50Ms), p99: round(sequential.overheadP99Ms) } : null;
  const spread = largest?.throughput.find((phase) => phase.routing === 'spread');
  const byOwner = largest?.throughput.find((phase) => phase.routing === 'byOwner');
  const spreadCpu = spread === undefined ? null : nodeCpuMsPerDeposit(spread);
  const localCpu = byOwner === undefined ? null : nodeCpuMsPerDeposit(byOwner);
  const n = largest?.nodes ?? 1;
  // spread = local + extra × (n-1)/n, so extra = (spread − local) × n/(n-1).
  const nodeCpuMs = spreadCpu !== null && localCpu !== null && n > 1 ? { local: round(localCpu), forwardExtra: round(Math.max(0, ((spreadCpu - localCpu) * n) / (n - 1))) } : null;
  const forMachines = machineCounts.map((machines) => {
    const share = (machines - 1) / machines;
    return {
      machines,
      meanAddedMsSpread: forwardHopMs === null ? null : round(share * forwardHopMs.p50),
      relativeCapacitySpread: nodeCpuMs === null ? null : round(machines / (1 + (nodeCpuMs.forwardExtra / nodeCpuMs.local) * share)),
      relativeCapacityByOwner: machines,
    };
  });
  const failovers = sizes.flatMap((size) => (size.failover?.firstSuccessMs == null ? [] : [size.failover]));
  const failoverMax = failovers.length === 0 ? null : Math.max(...failovers.map((phase) => phase.firstSuccessMs?.max ?? 0));
  const leaseTtlMs = failovers[0]?.leaseTtlMs ?? 0;
  const failover = failoverMax === null ? null : { leaseTtlMs, firstSuccessMaxMs: round(failoverMax), beyondTtlMs: round(failoverMax - leaseTtlMs) };
  const handoffs = sizes.flatMap((size) => (size.handoff?.firstSuccessMs == null ? [] : [size.handoff.firstSuccessMs.max]));
  const handoffFirstSuccessMaxMs = handoffs.length === 0 ? null : round(Math.max(...handoffs));
  const text = [
    forwardingText(forwardHopMs, forMachines),
    nodeCpuMs === null
      ? 'Capacity: not estimated (needs two nodes or more).'
      : `Capacity: a deposit took ${nodeCpuMs.local} ms of node CPU routed by owner and a forward added ${nodeCpuMs.forwardExtra} ms (the HTTP work on both nodes). With the nodes' CPU as the limit, N machines give about ${forMachines.map((each) => `×${each.relativeCapacitySpread} at ${each.machines}`).join(', ')} of one machine behind a round-robin balancer, and ×N routed by key, until the one PostgreSQL (every node's journal batches and lease renewals) becomes the limit.`,
    failoverText(failover, failovers),
    handoffFirstSuccessMaxMs === null
      ? 'Handoff: not measured.'
      : `Handoff: ${handoffFirstSuccessMaxMs} ms from SIGTERM to the first success on a moved key (drain to durable, release, the next owner's claim at its next lease round, at most TTL/4); independent of N.`,
  ];
  return { forwardHopMs, nodeCpuMs, forMachines, failover, handoffFirstSuccessMaxMs, text };
}

function forwardingText(forwardHopMs: Predictions['forwardHopMs'], forMachines: Predictions['forMachines']): string {
  if (forwardHopMs === null) return 'Forwarding: not measured (one node).';
  const measured = `${forwardHopMs.p50} ms at p50 (${forwardHopMs.p99} ms at p99)`;
  const lead =
    forwardHopMs.p50 > 0
      ? `Forwarding: a forwarded command costs ${measured} more than a local one on loopback; on N machines behind a round-robin balancer (N-1)/N of commands take that hop plus one network round trip, so the mean added latency is about ${forMachines.map((each) => `${each.meanAddedMsSpread} ms at ${each.machines}`).join(', ')} plus (N-1)/N of a round trip.`
      : `Forwarding: the forward's cost was within this run's noise (${measured} against a local command); on N machines behind a round-robin balancer (N-1)/N of commands still take one more hop: a network round trip and the owner's HTTP work.`;
  return `${lead} Routing by key (a balancer or client that reads the lease table) removes it.`;
}

function failoverText(failover: Predictions['failover'], failovers: readonly MovePhase[]): string {
  if (failover === null) return 'Failover: not measured.';
  const slowest = [...failovers].sort((left, right) => (right.firstSuccessMs?.max ?? 0) - (left.firstSuccessMs?.max ?? 0))[0];
  const key = slowest?.keys.find((each) => each.firstSuccessMs === slowest.firstSuccessMs?.max);
  const steps =
    key === undefined || key.leftOwnerMs === null || key.claimedMs === null || key.firstSuccessMs === null
      ? ''
      : ` For that key: its lease expired ${round(key.leftOwnerMs)} ms after the kill (a lease runs TTL from its last renewal, which was up to TTL/4 before), a survivor claimed it ${round(key.claimedMs - key.leftOwnerMs)} ms later (its next round), and served it ${round(key.firstSuccessMs - key.claimedMs)} ms after that (replay from the journal, the owner cache).`;
  return `Failover: ${failover.firstSuccessMaxMs} ms from SIGKILL to the first success on a moved key with a ${failover.leaseTtlMs} ms lease, TTL + ${failover.beyondTtlMs} ms.${steps} It does not grow with N (more nodes claim in parallel); a node's loss moves 1/N of the keys.`;
}
