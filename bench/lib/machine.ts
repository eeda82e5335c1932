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
}

export interface RunInfo {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly code: CodeInfo;
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
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function codeInfo(): CodeInfo {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain']);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

export function runInfo(): RunInfo {
  return { date: new Date().toISOString(), machine: machineInfo(), code: codeInfo() };
}

export function describeRun(info: RunInfo): string {
  const { machine, code } = info;
  const commit = code.commit === null ? 'no git commit' : `${code.commit.slice(0, 12)}${code.dirty ? ' (dirty tree)' : ''}`;
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryMb} MB, Node ${machine.node}, ${commit}, ${info.date}`;
}
