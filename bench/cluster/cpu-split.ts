/**
 * Where the cores went during one phase of the cluster benchmark: the node processes (summed),
 * PostgreSQL (every `postgres` process on the machine, so another test's database counts too),
 * this process (the load generator), and everything else (other work on the machine: noise).
 */
import { cpuBetween, sampleCpu, type CpuSample } from '../lib/cpu.ts';
import type { NodeProcess } from './node-process.ts';

export interface PhaseCpu {
  readonly machineCores: number;
  readonly nodesCores: number;
  readonly postgresCores: number;
  readonly loadGeneratorCores: number;
  readonly otherCores: number;
}

export interface CpuMark {
  readonly atMs: number;
  readonly machine: CpuSample | null;
  readonly nodes: ReadonlyMap<number, number>;
}

export function markCpu(nodes: readonly NodeProcess[]): CpuMark {
  const times = new Map<number, number>();
  for (const node of nodes) {
    const seconds = node.cpuSeconds();
    if (seconds !== null) times.set(node.pid, seconds);
  }
  return { atMs: performance.now(), machine: sampleCpu(), nodes: times };
}

/** Cores by user between two marks; a node that ended in between counts until its last mark
 *  (its time after that lands in "other"). Null off Linux. */
export function cpuSince(start: CpuMark, end: CpuMark): PhaseCpu | null {
  const machine = cpuBetween(start.machine, end.machine);
  const wallSeconds = (end.atMs - start.atMs) / 1_000;
  if (machine === null || wallSeconds <= 0) return null;
  let nodeSeconds = 0;
  for (const [pid, seconds] of end.nodes) nodeSeconds += seconds - (start.nodes.get(pid) ?? 0);
  const twoDecimals = (value: number) => Math.round(value * 100) / 100;
  const nodesCores = nodeSeconds / wallSeconds;
  return {
    machineCores: machine.machineCores,
    nodesCores: twoDecimals(nodesCores),
    postgresCores: machine.postgresCores,
    loadGeneratorCores: machine.ownCores,
    otherCores: twoDecimals(Math.max(0, machine.machineCores - nodesCores - machine.postgresCores - machine.ownCores)),
  };
}
