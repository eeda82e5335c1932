/**
 * The live scenario's verdict lines for issue #13: at 80 and at 400 checkouts/s offered, the p99
 * from a checkout's scheduled start to the seller's `order.new` notification, the notifications
 * still missing when the step's grace ended, and seq gaps; and how many were lost for good at
 * the end of the run (loss is judged only then, so it is not split by step).
 */
import type { StepSummary } from './report.ts';
import { printTable } from '../lib/table.ts';

/** The offered rates the issue sets targets for (p99 ≤ 50 ms at 80/s, 0 lost, 0 gaps). */
export const liveTargetRates: readonly number[] = [80, 400];

export interface LiveTarget {
  readonly offeredPerSec: number;
  /** Null when the plan had no step at this rate (LOAD_RATES overrides it). */
  readonly achievedPerSec: number | null;
  readonly notifyP99Ms: number | null;
  readonly lateAfterGrace: number | null;
  readonly seqGaps: number | null;
  readonly dropped: number | null;
}

export function liveTargets(steps: readonly StepSummary[]): LiveTarget[] {
  return liveTargetRates.map((rate) => {
    const step = steps.find((candidate) => candidate.offeredPerSec === rate);
    return {
      offeredPerSec: rate,
      achievedPerSec: step?.achievedPerSec ?? null,
      notifyP99Ms: step?.notifications?.latencyMs.p99 ?? null,
      lateAfterGrace: step?.notifications?.late ?? null,
      seqGaps: step?.notifications?.seqGaps ?? null,
      dropped: step?.dropped ?? null,
    };
  });
}

export function printLiveTargets(targets: readonly LiveTarget[], lostAtEnd: number): void {
  const cell = (value: number | null) => (value === null ? '—' : value);
  printTable(
    `Checkout → seller's order.new (live); lost for good at the end of the run: ${lostAtEnd}`,
    ['offered/s', 'achieved/s', 'notify p99 ms', 'late after grace', 'seq gaps', 'dropped'],
    targets.map((target) => [target.offeredPerSec, cell(target.achievedPerSec), cell(target.notifyP99Ms), cell(target.lateAfterGrace), cell(target.seqGaps), cell(target.dropped)]),
  );
}
