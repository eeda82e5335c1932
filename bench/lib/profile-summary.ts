/**
 * Summarises a V8 CPU profile (the inspector's Profiler.stop result) as self time by area of
 * the code (the repo's folders, each dependency, Node's internals, V8's own buckets) and the
 * functions with the most self time, per order measured. Idle time is left out of the shares.
 */
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

/** The parts of a Profiler.Profile this summary reads. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface AreaShare {
  readonly area: string;
  readonly ms: number;
  readonly sharePercent: number;
}

export interface FunctionShare extends AreaShare {
  readonly function: string;
  readonly location: string;
}

export interface ProfileSummary {
  readonly profiledMs: number;
  readonly busyMs: number;
  readonly busyUsPerOrder: number;
  readonly areas: readonly AreaShare[];
  readonly topFunctions: readonly FunctionShare[];
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const repoAreas = ['runtime', 'actors', 'persistence/adapters', 'persistence/projections', 'persistence', 'gateway', 'bench'];

function locationOf(frame: CallFrame): string {
  if (frame.url === '') return '';
  const path = frame.url.startsWith('file://') ? relative(repoRoot, fileURLToPath(frame.url)) : frame.url;
  return `${path}:${frame.lineNumber + 1}`;
}

/** Where a frame's code lives: V8's buckets, a dependency, Node itself, or a folder of the repo. */
export function areaOf(frame: CallFrame): string {
  const { functionName, url } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : `native (${functionName || 'anonymous'})`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const packaged = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packaged !== null) return `package ${packaged[1]}`;
  const path = url.startsWith('file://') ? relative(repoRoot, fileURLToPath(url)) : url;
  return repoAreas.find((area) => path.startsWith(`${area}/`)) ?? 'other';
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function summariseProfile(profile: CpuProfile, orders: number, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the delta that follows it (the last one gets none).
  for (let index = 0; index < samples.length; index += 1) {
    const id = samples[index] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[index + 1] ?? 0));
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, { area: string; name: string; location: string; us: number }>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const location = locationOf(frame);
    const name = frame.functionName || '(anonymous)';
    const label = `${name} ${location}`;
    const entry = functions.get(label) ?? { area, name, location, us: 0 };
    entry.us += us;
    functions.set(label, entry);
  }
  const profiledUs = profile.endTime - profile.startTime;
  const busyUs = [...areas.values()].reduce((sum, us) => sum + us, 0);
  const share = (us: number) => round((us / Math.max(1, busyUs)) * 100);
  return {
    profiledMs: Math.round(profiledUs / 1_000),
    busyMs: Math.round(busyUs / 1_000),
    busyUsPerOrder: Math.round(busyUs / Math.max(1, orders)),
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, ms: Math.round(us / 1_000), sharePercent: share(us) })),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({ area: entry.area, function: entry.name, location: entry.location, ms: Math.round(entry.us / 1_000), sharePercent: share(entry.us) })),
  };
}
