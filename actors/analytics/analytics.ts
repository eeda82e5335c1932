/**
 * The daily seller analytics job as an actor (`analytics:daily`, issue #6): pure bookkeeping of
 * which UTC days are aggregated, and a durable timer (DESIGN.md §4) at the next cron time.
 *
 * Days are whole UTC days counted from 1970-01-01 (`epochDay`), so a day is one integer in the
 * journal and in SQL. The flow:
 * - `StartAnalytics` (sent by gateway/app/system.ts on every start): the first ever start records
 *   the day before today as the last completed one; any start makes sure one timer is pending for
 *   the configured cron (and replaces it when the cron changed). A second start changes nothing.
 * - `RunDailyAggregation` (the timer, possibly late after downtime): schedules the next run and
 *   asks for every day from the last completed one + 1 up to yesterday: `AggregationRequested`.
 * - The aggregation is I/O, so it is not done here: the analytics consumer
 *   (persistence/projections/analytics/seller-daily.ts) sees `AggregationRequested` in the journal, upserts
 *   `seller_stats_daily` and answers with `RecordAggregation`, which advances the last completed
 *   day and, when a long outage left more days than one run takes, asks for the next chunk.
 *
 * A request is journaled before any work, and the consumer gets it at least once, so a crash at
 * any point repeats the (idempotent) upsert and never skips a day.
 */
import type { PendingTimers } from '../saga-retry-timer.ts';
import { evolveTimers } from '../saga-retry-timer.ts';
import type { Decider, Decision, TimerCancelled, TimerScheduled } from '../decider.ts';
import { assertNever, reject } from '../decider.ts';
import { actorKinds } from '../keys.ts';
import { nextAfter, parseCron } from './cron.ts';

export const analyticsActorId = 'daily';
export const dayMs = 86_400_000;

/**
 * Days one aggregation request covers. After a long outage the job catches up in chunks of this
 * many days, one journal entry each, so one upsert never holds the database (PGlite runs one
 * query at a time) for more than about a month of days × sellers.
 */
export const catchUpDaysPerRunMax = 31;

export type AnalyticsCommand =
  | { readonly type: 'StartAnalytics'; readonly commandId: string; readonly cron: string }
  | { readonly type: 'RunDailyAggregation'; readonly timerId: string }
  | { readonly type: 'RecordAggregation'; readonly fromDay: number; readonly toDay: number };

export type AnalyticsEvent =
  | { readonly type: 'AnalyticsStarted'; readonly firstDay: number; readonly cron: string; readonly at: number }
  | { readonly type: 'CronChanged'; readonly cron: string; readonly at: number }
  | { readonly type: 'AggregationRequested'; readonly fromDay: number; readonly toDay: number; readonly at: number }
  | { readonly type: 'DaysAggregated'; readonly fromDay: number; readonly toDay: number; readonly at: number }
  | TimerScheduled
  | TimerCancelled;

export type AnalyticsRejection = 'invalid_cron';

export interface AnalyticsState {
  readonly started: boolean;
  readonly cron: string;
  /** Every day up to this one is in seller_stats_daily; null before the first start. */
  readonly lastCompletedDay: number | null;
  /** The request the consumer is working on, if any. */
  readonly requested: { readonly fromDay: number; readonly toDay: number } | null;
  readonly timers: PendingTimers;
  /** Timers ever scheduled: the next timer's id is `run-<count + 1>`, so ids never repeat. */
  readonly timersScheduled: number;
}

export const initialState: AnalyticsState = {
  started: false,
  cron: '',
  lastCompletedDay: null,
  requested: null,
  timers: {},
  timersScheduled: 0,
};

export function epochDay(epochMs: number): number {
  return Math.floor(epochMs / dayMs);
}

export function isoDay(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

export function commandId(command: AnalyticsCommand): string {
  switch (command.type) {
    case 'StartAnalytics':
      return command.commandId;
    case 'RunDailyAggregation':
      return `timer:${command.timerId}`;
    case 'RecordAggregation':
      return `aggregated:${command.fromDay}-${command.toDay}`;
    default:
      return assertNever(command);
  }
}

/** Cancels every pending timer and schedules one at the cron's next time after `now`. */
function rescheduled(state: AnalyticsState, cron: string, now: number): AnalyticsEvent[] {
  const dueAt = nextAfter(cron, now);
  if (dueAt === null) throw new Error(`analytics invariant broken: the validated cron ${cron} has a next time`);
  const cancels = Object.keys(state.timers).map((timerId): AnalyticsEvent => ({ type: 'TimerCancelled', timerId }));
  const timerId = `run-${state.timersScheduled + 1}`;
  return [...cancels, { type: 'TimerScheduled', timerId, dueAt, command: { type: 'RunDailyAggregation', timerId } }];
}

/** The next request when days up to yesterday are not yet aggregated and none is running. */
function nextRequest(lastCompletedDay: number, now: number): AnalyticsEvent[] {
  const yesterday = epochDay(now) - 1;
  if (lastCompletedDay >= yesterday) return [];
  const fromDay = lastCompletedDay + 1;
  const toDay = Math.min(yesterday, fromDay + catchUpDaysPerRunMax - 1);
  return [{ type: 'AggregationRequested', fromDay, toDay, at: now }];
}

function decideStart(state: AnalyticsState, command: Extract<AnalyticsCommand, { type: 'StartAnalytics' }>, now: number): Decision<AnalyticsEvent, AnalyticsRejection> {
  const parsed = parseCron(command.cron);
  // Rejection messages are sentences, like every actor's; the parser's reason goes inside one.
  if (!parsed.ok) return reject('invalid_cron', `The analytics schedule is not a valid cron expression: ${parsed.message}.`);
  const cron = parsed.schedule.source;
  if (!state.started) {
    const started: AnalyticsEvent = { type: 'AnalyticsStarted', firstDay: epochDay(now), cron, at: now };
    return [started, ...rescheduled(state, cron, now)];
  }
  if (state.cron !== cron) return [{ type: 'CronChanged', cron, at: now }, ...rescheduled(state, cron, now)];
  // A pending timer that is already due fires at the scheduler's next tick: the catch-up.
  if (Object.keys(state.timers).length > 0) return [];
  return rescheduled(state, cron, now);
}

export function decide(state: AnalyticsState, command: AnalyticsCommand, now: number): Decision<AnalyticsEvent, AnalyticsRejection> {
  switch (command.type) {
    case 'StartAnalytics':
      return decideStart(state, command, now);
    case 'RunDailyAggregation': {
      // A timer of a replaced schedule (the cron changed) or one delivered twice: nothing to do.
      if (!Object.hasOwn(state.timers, command.timerId) || state.lastCompletedDay === null) return [];
      const next = rescheduled(state, state.cron, now);
      if (state.requested === null) return [...next, ...nextRequest(state.lastCompletedDay, now)];
      // A request still open a whole period later was lost (a deferred request dies with the
      // process, see seller-daily.ts) or is stuck: ask for the same days again. A repeat is
      // harmless: the upsert is idempotent and a second answer is a duplicate command.
      return [...next, { type: 'AggregationRequested', ...state.requested, at: now }];
    }
    case 'RecordAggregation': {
      const { requested, lastCompletedDay } = state;
      // Only the running request completes; a stale or repeated answer changes nothing.
      if (requested === null || requested.fromDay !== command.fromDay || requested.toDay !== command.toDay || lastCompletedDay === null) return [];
      const done: AnalyticsEvent = { type: 'DaysAggregated', fromDay: command.fromDay, toDay: command.toDay, at: now };
      return [done, ...nextRequest(Math.max(lastCompletedDay, command.toDay), now)];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: AnalyticsState, event: AnalyticsEvent): AnalyticsState {
  switch (event.type) {
    case 'AnalyticsStarted':
      return { ...state, started: true, cron: event.cron, lastCompletedDay: event.firstDay - 1 };
    case 'CronChanged':
      return { ...state, cron: event.cron };
    case 'AggregationRequested':
      return { ...state, requested: { fromDay: event.fromDay, toDay: event.toDay } };
    case 'DaysAggregated':
      return { ...state, requested: null, lastCompletedDay: Math.max(state.lastCompletedDay ?? event.toDay, event.toDay) };
    case 'TimerScheduled':
      return { ...state, timers: evolveTimers('analytics', state.timers, event), timersScheduled: state.timersScheduled + 1 };
    case 'TimerCancelled':
      return { ...state, timers: evolveTimers('analytics', state.timers, event) };
    default:
      return assertNever(event);
  }
}

export const analyticsDecider: Decider<AnalyticsState, AnalyticsCommand, AnalyticsEvent, AnalyticsRejection> = {
  kind: actorKinds.analytics,
  stateVersion: 1,
  initialState,
  decide,
  evolve,
  commandId,
};
