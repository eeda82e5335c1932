import { describe, expect, it } from 'vitest';
import type { PhaseCpu } from './cpu-split.ts';
import type { SizeResult, ThroughputPhase } from './results.ts';
import { nodeCpuMsPerDeposit, predict } from './report.ts';

const noCounters = { fencedBatches: 0, forwardsAnswered: 0, forwards: 0, misdirected: 0, failedSends: 0 };
const summary = { count: 1, mean: 1, p50: 1, p99: 1, max: 1 };
const cpu = (nodesCores: number): PhaseCpu => ({ machineCores: 2, nodesCores, postgresCores: 0, loadGeneratorCores: 0, otherCores: 0 });

/** `deposits` in 10 s with the nodes using `nodesCores`: nodesCores × 10,000 / deposits ms each. */
function loop(routing: ThroughputPhase['routing'], deposits: number, nodesCores: number): ThroughputPhase {
  return { routing, concurrency: 32, seconds: 10, deposits, failures: 0, depositsPerSecond: deposits / 10, latencyMs: summary, forwardsPerSecond: 0, counters: noCounters, cpu: cpu(nodesCores) };
}

function size(nodes: number, idleCores: number, throughput: ThroughputPhase[]): SizeResult {
  return { nodes, startMs: [], settleMs: 0, buyers: 1, idleCpu: cpu(idleCores), latency: [], throughput, handoff: null, failover: null, fencedBatches: 0 };
}

describe('what the cluster benchmark predicts for N machines', () => {
  it('takes the idle nodes\' CPU out of a deposit\'s cost', () => {
    const one = size(1, 0.1, [loop('spread', 5_000, 1.1)]);
    expect(nodeCpuMsPerDeposit(one, one.throughput[0]!)).toBeCloseTo(2, 6);
  });

  it('splits the cost into one node\'s, each further node\'s and a forward\'s, and scales them to N', () => {
    // One node: 2 ms a deposit. Three nodes by owner: 3 ms (+0.5 per further node). Spread over
    // three, 2/3 forwarded: 5 ms, so a forward adds (5 − 3) × 3/2 = 3 ms.
    const sizes = [size(1, 0, [loop('spread', 5_000, 1)]), size(3, 0, [loop('spread', 2_000, 1), loop('byOwner', 10_000, 3)])];
    const predictions = predict(sizes);
    expect(predictions.capacity).toEqual({ singleNodeMs: 2, perExtraNodeMs: 0.5, forwardExtraMs: 3, measuredAtNodes: 3 });
    const ten = predictions.forMachines.find((each) => each.machines === 10)?.relativeCapacity;
    // By owner on 10: 10 × 2 / (2 + 9 × 0.5); spread adds 0.9 × 3; sharded consumers drop the 9 × 0.5.
    expect(ten).toEqual({ byOwner: 3.08, spread: 2.17, byOwnerShardedConsumers: 10, spreadShardedConsumers: 4.26 });
  });

  it('estimates nothing it has no measurement for', () => {
    const predictions = predict([size(1, 0, [loop('spread', 1_000, 1)])]);
    expect(predictions.capacity).toBeNull();
    expect(predictions.forwardHopMs).toBeNull();
    expect(predictions.failover).toBeNull();
  });
});
