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

/** Node CPU (all node processes) per deposit, in ms, beyond what the nodes use idle: what one
 *  deposit costs the cluster. */
export function nodeCpuMsPerDeposit(size: SizeResult, phase: ThroughputPhase): number | null {
  if (phase.cpu === null || phase.deposits === 0) return null;
  const idleCores = size.idleCpu?.nodesCores ?? 0;
  return (Math.max(0, phase.cpu.nodesCores - idleCores) * phase.seconds * 1_000) / phase.deposits;
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
      ms(nodeCpuMsPerDeposit(size, phase)),
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
    // A killed process is gone at once; the time the bench took to see it says nothing.
    phase.signal === 'SIGTERM' ? ms(phase.processExitMs) : dash,
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
    ['nodes', 'event', 'TTL ms', 'shards moved', 'first success', 'keys served', 'all shards claimed', 'clean stop took', 'answers before', 'fenced'],
    moveRows(sizes),
  );
  printTable('Fenced batches (bazaary_cluster_fenced_batches_total, every node process summed)', ['nodes', 'fenced batches'], sizes.map((size) => [size.nodes, size.fencedBatches]));
}

export interface CapacityModel {
  /** Node CPU per deposit on one node. */
  readonly singleNodeMs: number;
  /** What each further node adds to every deposit's cluster-wide CPU when routed by owner (every
   *  node runs every consumer over the whole log until consumers are per shard). */
  readonly perExtraNodeMs: number;
  /** What a forward adds to a deposit (the HTTP work on both nodes). */
  readonly forwardExtraMs: number;
  /** From the cluster size these were measured at. */
  readonly measuredAtNodes: number;
}

export interface MachinesPrediction {
  readonly machines: number;
  /** Mean added latency behind a round-robin balancer: (N-1)/N of the forward's p50 (plus a network round trip). */
  readonly meanAddedMsSpread: number | null;
  /** The nodes' capacity relative to one machine's, with the nodes' CPU as the limit. */
  readonly relativeCapacity: {
    readonly spread: number;
    readonly byOwner: number;
    /** Once consumers run per shard (perExtraNodeMs → 0). */
    readonly spreadShardedConsumers: number;
    readonly byOwnerShardedConsumers: number;
  } | null;
}

export interface Predictions {
  /** The forward's extra latency on loopback (sequential deposits, the largest cluster measured). */
  readonly forwardHopMs: { readonly p50: number; readonly p99: number } | null;
  readonly capacity: CapacityModel | null;
  readonly forMachines: readonly MachinesPrediction[];
  readonly failover: { readonly leaseTtlMs: number; readonly firstSuccessMaxMs: number; readonly beyondTtlMs: number } | null;
  readonly handoffFirstSuccessMaxMs: number | null;
  readonly text: readonly string[];
}

const machineCounts = [2, 3, 5, 10];

/** Node CPU per deposit from the one-node run and the largest run's two routings. */
function capacityModel(sizes: readonly SizeResult[]): CapacityModel | null {
  const single = sizes.find((size) => size.nodes === 1);
  const largest = [...sizes].sort((left, right) => right.nodes - left.nodes)[0];
  const singlePhase = single?.throughput.find((phase) => phase.routing === 'spread');
  const spreadPhase = largest?.throughput.find((phase) => phase.routing === 'spread');
  const byOwnerPhase = largest?.throughput.find((phase) => phase.routing === 'byOwner');
  if (single === undefined || largest === undefined || singlePhase === undefined || spreadPhase === undefined || byOwnerPhase === undefined) return null;
  const singleNodeMs = nodeCpuMsPerDeposit(single, singlePhase);
  const spreadMs = nodeCpuMsPerDeposit(largest, spreadPhase);
  const byOwnerMs = nodeCpuMsPerDeposit(largest, byOwnerPhase);
  if (singleNodeMs === null || spreadMs === null || byOwnerMs === null || singleNodeMs === 0) return null;
  const n = largest.nodes;
  return {
    singleNodeMs: round(singleNodeMs),
    perExtraNodeMs: round(Math.max(0, (byOwnerMs - singleNodeMs) / (n - 1))),
    // spread = byOwner + extra × (n-1)/n, so extra = (spread − byOwner) × n/(n-1).
    forwardExtraMs: round(Math.max(0, ((spreadMs - byOwnerMs) * n) / (n - 1))),
    measuredAtNodes: n,
  };
}

/** N machines' node capacity over one machine's: N × (one node's cost) ÷ (a deposit's cost on N). */
function relativeCapacity(model: CapacityModel, machines: number, forwardedShare: number, perExtraNodeMs: number): number {
  const cost = model.singleNodeMs + perExtraNodeMs * (machines - 1) + model.forwardExtraMs * forwardedShare;
  return round((machines * model.singleNodeMs) / cost);
}

export function predict(sizes: readonly SizeResult[]): Predictions {
  const largest = [...sizes].sort((left, right) => right.nodes - left.nodes)[0];
  const sequential = largest?.latency.find((phase) => phase.concurrency === 1);
  const forwardHopMs = sequential?.overheadP50Ms != null && sequential.overheadP99Ms != null ? { p50: round(sequential.overheadP50Ms), p99: round(sequential.overheadP99Ms) } : null;
  const capacity = capacityModel(sizes);
  const forMachines = machineCounts.map((machines): MachinesPrediction => {
    const share = (machines - 1) / machines;
    return {
      machines,
      meanAddedMsSpread: forwardHopMs === null ? null : round(share * Math.max(0, forwardHopMs.p50)),
      relativeCapacity:
        capacity === null
          ? null
          : {
              spread: relativeCapacity(capacity, machines, share, capacity.perExtraNodeMs),
              byOwner: relativeCapacity(capacity, machines, 0, capacity.perExtraNodeMs),
              spreadShardedConsumers: relativeCapacity(capacity, machines, share, 0),
              byOwnerShardedConsumers: machines,
            },
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
    capacityText(capacity, forMachines),
    failoverText(failover, failovers),
    handoffFirstSuccessMaxMs === null
      ? 'Handoff: not measured.'
      : `Handoff: ${handoffFirstSuccessMaxMs} ms from SIGTERM to the first success on a moved key (drain to durable, release, the next owner's claim at its next lease round, at most TTL/4); independent of N.`,
  ];
  return { forwardHopMs, capacity, forMachines, failover, handoffFirstSuccessMaxMs, text };
}

function capacityText(capacity: CapacityModel | null, forMachines: readonly MachinesPrediction[]): string {
  if (capacity === null) return 'Capacity: not estimated (needs one node and two or more).';
  const list = (pick: (each: NonNullable<MachinesPrediction['relativeCapacity']>) => number) =>
    forMachines.map((each) => (each.relativeCapacity === null ? '' : `×${pick(each.relativeCapacity)} at ${each.machines}`)).join(', ');
  return (
    `Capacity (node CPU as the limit, the one PostgreSQL not yet): a deposit cost ${capacity.singleNodeMs} ms of node CPU on one node; ` +
    `each further node added ${capacity.perExtraNodeMs} ms to every deposit routed by owner (every node still runs every consumer over the whole log), ` +
    `and a forward added ${capacity.forwardExtraMs} ms (measured at ${capacity.measuredAtNodes} nodes). So N machines give ${list((each) => each.byOwner)} of one machine routed by key ` +
    `and ${list((each) => each.spread)} behind a round-robin balancer; once consumers run per shard, ${list((each) => each.byOwnerShardedConsumers)} and ${list((each) => each.spreadShardedConsumers)}.`
  );
}

function forwardingText(forwardHopMs: Predictions['forwardHopMs'], forMachines: Predictions['forMachines']): string {
  if (forwardHopMs === null) return 'Forwarding: not measured (one node).';
  const measured = `${forwardHopMs.p50} ms at p50 (${forwardHopMs.p99} ms at p99)`;
  const lead =
    forwardHopMs.p50 > 0
      ? `Forwarding: a forwarded command costs ${measured} more than a local one on loopback; on N machines behind a round-robin balancer (N-1)/N of commands take that hop plus one network round trip, so the mean added latency is about ${forMachines.map((each) => `${each.meanAddedMsSpread} ms at ${each.machines}`).join(', ')} plus (N-1)/N of a round trip.`
      : `Forwarding: a forwarded command was not slower than a local one here (${measured} against a local command, on loopback), probably because the entry node's HTTP and reply work then overlaps the owner's commit and consumers on the other core, which offsets the hop (the hop alone, in one process: gateway/app/forwarding.int.test.ts). On N machines behind a round-robin balancer (N-1)/N of commands still take one more hop: a network round trip and the owner's HTTP work.`;
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
