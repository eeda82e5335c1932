/**
 * The wake-up timer that each saga (the order, the checkout) keeps while any of its steps is
 * pending (DESIGN.md §4). The runtime re-runs pending steps after every message an actor handles
 * (runtime/saga.ts), but its retry loop lives only in memory and gives up after a few attempts,
 * so a saga whose target is down, or whose runtime crashed, needs a message to wake it up again:
 * this timer's RetrySteps. Pure planning only; each actor turns the plan into its own
 * TimerScheduled / TimerCancelled events.
 *
 * Timer ids must never repeat within an actor: the timer index ignores a second schedule of an
 * id, and the timer's command id (`timer:<timerId>`) makes a second delivery a no-op. An id is
 * therefore `retry-<progress>`, where progress counts the saga's step starts and finishes (a
 * pending step counts 1, a finished one 2), and a timer re-armed without progress since the last
 * one (a RetrySteps that found its steps still pending) counts its re-arms after a dot:
 * `retry-<progress>.<n>`. At most one retry timer is pending at a time and progress never goes
 * down, so each new id sorts after every earlier one:
 * - while a retry timer is pending, the new id is past that one (same progress, n + 1; or more
 *   progress);
 * - once none is pending, the last one was cancelled when no step was pending any more, so a
 *   step finished after it was scheduled and progress has grown past its number since.
 */
import type { TimerCancelled, TimerScheduled } from './decider.ts';

export const retryTimerPrefix = 'retry-';

/**
 * Re-arms without progress double the delay, at most this many times: with a 30 s step retry,
 * a saga whose target stays down is woken every 32 minutes at the slowest. The bound is what a
 * long outage costs: one journal entry per stuck saga per wake-up, against resuming up to that
 * long after the target is back (any other message to the actor resumes it at once).
 */
export const retryBackoffDoublingsMax = 6;

export interface RetryTimerPlan {
  /** Retry timers to cancel: all of them once nothing is pending, else the ones already due. */
  readonly cancel: readonly string[];
  readonly schedule: { readonly timerId: string; readonly dueAt: number } | null;
}

interface StepStatus {
  readonly status: 'PENDING' | 'DONE' | 'FAILED';
}

/**
 * Keeps one retry timer due in the future while any step is pending, and none otherwise. A
 * retry timer whose due time has passed has fired (or is about to, and then finds a newer one),
 * so it no longer counts: it is cancelled and replaced.
 */
export function planRetryTimer(
  timers: Readonly<Record<string, { readonly dueAt: number }>>,
  steps: readonly StepStatus[],
  now: number,
  stepRetryMs: number,
): RetryTimerPlan {
  const retryTimerIds = Object.keys(timers).filter((timerId) => timerId.startsWith(retryTimerPrefix));
  if (!steps.some((step) => step.status === 'PENDING')) return { cancel: retryTimerIds, schedule: null };
  if (retryTimerIds.some((timerId) => (timers[timerId]?.dueAt ?? now) > now)) return { cancel: [], schedule: null };
  const progress = steps.reduce((count, step) => count + (step.status === 'PENDING' ? 1 : 2), 0);
  const rearms = Math.max(0, ...retryTimerIds.map((timerId) => rearmsAfter(timerId, progress)));
  const timerId = rearms === 0 ? `${retryTimerPrefix}${progress}` : `${retryTimerPrefix}${progress}.${rearms}`;
  const delayMs = stepRetryMs * 2 ** Math.min(rearms, retryBackoffDoublingsMax);
  return { cancel: retryTimerIds, schedule: { timerId, dueAt: now + delayMs } };
}

/** The re-arm count that follows a due timer: its own plus one at the same progress, else 0. */
function rearmsAfter(timerId: string, progress: number): number {
  const [progressPart, rearmPart] = timerId.slice(retryTimerPrefix.length).split('.');
  if (Number(progressPart) !== progress) return 0;
  if (rearmPart === undefined) return 1;
  const rearms = Number(rearmPart);
  // Only planRetryTimer makes these ids; guessing a count here could repeat an id.
  if (!Number.isSafeInteger(rearms) || rearms < 1) throw new Error(`saga invariant broken: retry timer id ${timerId} is well formed`);
  return rearms + 1;
}

export type PendingTimers = Readonly<Record<string, { readonly dueAt: number; readonly command: unknown }>>;

/**
 * Folds a timer event into an actor's map of pending timers (order and checkout share it).
 * A timer is scheduled once and cancelled only while pending; anything else is a bug.
 */
export function evolveTimers(owner: string, timers: PendingTimers, event: TimerScheduled | TimerCancelled): PendingTimers {
  if (event.type === 'TimerScheduled') {
    if (Object.hasOwn(timers, event.timerId)) throw new Error(`${owner} invariant broken: timer ${event.timerId} is scheduled once`);
    return { ...timers, [event.timerId]: { dueAt: event.dueAt, command: event.command } };
  }
  if (!Object.hasOwn(timers, event.timerId)) throw new Error(`${owner} invariant broken: cancelled timer ${event.timerId} is pending`);
  const { [event.timerId]: _cancelled, ...remaining } = timers;
  return remaining;
}
