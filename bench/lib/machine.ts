/**
 * What a result was measured on and from which code, so numbers from different machines or
 * commits are never compared by accident.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly totalMemoryMb: number;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
}

export interface CodeInfo {
  /** `git rev-parse HEAD`, or null outside a git checkout. */
  readonly commit: string | null;
  /** True when the working tree had uncommitted changes: the commit alone does not name the code. */
  readonly dirty: boolean | null;
  /** The first few changed or untracked paths (bench/results excluded), so a reader sees what differed. */
  readonly changedPaths: readonly string[];
}

export interface RunInfo {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly code: CodeInfo;
  /** 1, 5 and 15-minute load averages as the run started (they lag; cpu.ts measures). */
  readonly loadAverageAtStart: readonly number[];
  /** The process's nice value: below 0 when it was started with `nice -n -10` to shield it from
   *  other work on a shared machine (PostgreSQL's processes keep their own priority). */
  readonly niceValue: number;
}

export function machineInfo(): MachineInfo {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
  };
}

function git(args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

const maxChangedPaths = 20;

export function codeInfo(): CodeInfo {
  const commit = git(['rev-parse', 'HEAD'])?.trim() ?? null;
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=all']);
  const changedPaths = (status ?? '')
    .split('\n')
    // Porcelain lines are "XY path": two status letters (either may be a space), then a space.
    .map((line) => line.slice(3))
    .filter((path) => path !== '' && !path.startsWith('bench/results/'));
  return { commit, dirty: status === null ? null : changedPaths.length > 0, changedPaths: changedPaths.slice(0, maxChangedPaths) };
}

export function loadAverage(): number[] {
  return os.loadavg().map((load) => Math.round(load * 100) / 100);
}

export function runInfo(): RunInfo {
  return {
    date: new Date().toISOString(),
    machine: machineInfo(),
    code: codeInfo(),
    loadAverageAtStart: loadAverage(),
    niceValue: os.getPriority(),
  };
}

export function describeRun(info: RunInfo): string {
  const { machine, code } = info;
  const commit = code.commit === null ? 'no git commit' : `${code.commit.slice(0, 12)}${code.dirty ? ' (uncommitted changes)' : ''}`;
  const nice = info.niceValue === 0 ? '' : `, nice ${info.niceValue}`;
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryMb} MB, Node ${machine.node}, ${commit}, ${info.date}${nice}`;
}
