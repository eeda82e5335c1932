import { describe, expect, it } from 'vitest';
import { isRejected } from '../decider.ts';
import type { AnalyticsCommand, AnalyticsEvent, AnalyticsState } from './analytics.ts';
import { catchUpDaysPerRunMax, dayMs, decide, epochDay, evolve, initialState } from './analytics.ts';

const jan5 = Date.UTC(2026, 0, 5, 15, 30);
const day = (iso: string) => epochDay(Date.parse(`${iso}T00:00:00Z`));

function given(events: readonly AnalyticsEvent[]): AnalyticsState {
  return events.reduce(evolve, initialState);
}

function when(state: AnalyticsState, command: AnalyticsCommand, now: number): AnalyticsEvent[] {
  const decision = decide(state, command, now);
  if (isRejected(decision)) throw new Error(`rejected: ${decision.rejected}`);
  return [...decision];
}

const started: AnalyticsEvent[] = [
  { type: 'AnalyticsStarted', firstDay: day('2026-01-05'), cron: '0 0 * * *', at: jan5 },
  { type: 'TimerScheduled', timerId: 'run-1', dueAt: Date.UTC(2026, 0, 6), command: { type: 'RunDailyAggregation', timerId: 'run-1' } },
];

describe('the analytics actor', () => {
  it('on its first start counts from today and schedules the next cron time', () => {
    expect(when(initialState, { type: 'StartAnalytics', commandId: 's', cron: '0 0 * * *' }, jan5)).toEqual(started);
    expect(given(started).lastCompletedDay).toBe(day('2026-01-04'));
  });

  it('changes nothing on a later start with the same cron, even when the timer is overdue', () => {
    expect(when(given(started), { type: 'StartAnalytics', commandId: 's2', cron: '0 0 * * *' }, jan5 + 9 * dayMs)).toEqual([]);
  });

  it('replaces the pending timer when the cron changed', () => {
    const events = when(given(started), { type: 'StartAnalytics', commandId: 's2', cron: '0 6 * * *' }, jan5);
    expect(events).toEqual([
      { type: 'CronChanged', cron: '0 6 * * *', at: jan5 },
      { type: 'TimerCancelled', timerId: 'run-1' },
      { type: 'TimerScheduled', timerId: 'run-2', dueAt: Date.UTC(2026, 0, 6, 6), command: { type: 'RunDailyAggregation', timerId: 'run-2' } },
    ]);
  });

  it('refuses a start with an invalid cron', () => {
    const decision = decide(initialState, { type: 'StartAnalytics', commandId: 's', cron: '61 * * * *' }, jan5);
    expect(isRejected(decision) && decision.rejected).toBe('invalid_cron');
  });

  it('at midnight asks for yesterday and schedules the next midnight', () => {
    const midnight = Date.UTC(2026, 0, 6);
    expect(when(given(started), { type: 'RunDailyAggregation', timerId: 'run-1' }, midnight)).toEqual([
      { type: 'TimerCancelled', timerId: 'run-1' },
      { type: 'TimerScheduled', timerId: 'run-2', dueAt: Date.UTC(2026, 0, 7), command: { type: 'RunDailyAggregation', timerId: 'run-2' } },
      { type: 'AggregationRequested', fromDay: day('2026-01-05'), toDay: day('2026-01-05'), at: midnight },
    ]);
  });

  it('firing late after downtime asks for every missed day', () => {
    const late = Date.UTC(2026, 0, 9, 8);
    const events = when(given(started), { type: 'RunDailyAggregation', timerId: 'run-1' }, late);
    expect(events.at(-1)).toEqual({ type: 'AggregationRequested', fromDay: day('2026-01-05'), toDay: day('2026-01-08'), at: late });
    expect(events[1]).toMatchObject({ type: 'TimerScheduled', dueAt: Date.UTC(2026, 0, 10) });
  });

  it('records a finished run once, and ignores a stale or repeated answer', () => {
    const midnight = Date.UTC(2026, 0, 6);
    const running = given([...started, ...when(given(started), { type: 'RunDailyAggregation', timerId: 'run-1' }, midnight)]);
    const record = { type: 'RecordAggregation', fromDay: day('2026-01-05'), toDay: day('2026-01-05') } as const;
    const recorded = when(running, record, midnight + 1_000);
    expect(recorded).toEqual([{ type: 'DaysAggregated', fromDay: day('2026-01-05'), toDay: day('2026-01-05'), at: midnight + 1_000 }]);
    const done = given([...started, ...when(given(started), { type: 'RunDailyAggregation', timerId: 'run-1' }, midnight), ...recorded]);
    expect(done.lastCompletedDay).toBe(day('2026-01-05'));
    expect(done.requested).toBeNull();
    expect(when(done, record, midnight + 2_000)).toEqual([]);
    expect(when(running, { ...record, toDay: day('2026-01-06') }, midnight + 2_000)).toEqual([]);
  });

  it('ignores a timer it does not hold (delivered twice, or replaced)', () => {
    expect(when(given(started), { type: 'RunDailyAggregation', timerId: 'run-9' }, Date.UTC(2026, 0, 6))).toEqual([]);
  });

  it('catches up a long outage in chunks, asking for the next chunk when one is recorded', () => {
    const late = Date.UTC(2026, 2, 1, 3);
    const fired = when(given(started), { type: 'RunDailyAggregation', timerId: 'run-1' }, late);
    const firstChunk = { fromDay: day('2026-01-05'), toDay: day('2026-01-05') + catchUpDaysPerRunMax - 1 };
    expect(fired.at(-1)).toEqual({ type: 'AggregationRequested', ...firstChunk, at: late });
    const running = given([...started, ...fired]);
    const recorded = when(running, { type: 'RecordAggregation', ...firstChunk }, late + 1);
    expect(recorded[1]).toEqual({ type: 'AggregationRequested', fromDay: firstChunk.toDay + 1, toDay: day('2026-02-28'), at: late + 1 });
  });

  it('a timer firing while a request is still open asks for the same days again, and the first answer completes it', () => {
    const open = { fromDay: day('2026-01-05'), toDay: day('2026-01-05') };
    const running = given([...started, { type: 'AggregationRequested', ...open, at: jan5 }]);
    const midnight = Date.UTC(2026, 0, 6);
    const events = when(running, { type: 'RunDailyAggregation', timerId: 'run-1' }, midnight);
    expect(events.map((event) => event.type)).toEqual(['TimerCancelled', 'TimerScheduled', 'AggregationRequested']);
    expect(events[2]).toEqual({ type: 'AggregationRequested', ...open, at: midnight });
    const asked = given([...started, { type: 'AggregationRequested', ...open, at: jan5 }, ...events]);
    const recorded = when(asked, { type: 'RecordAggregation', ...open }, midnight + 1);
    expect(recorded[0]).toEqual({ type: 'DaysAggregated', ...open, at: midnight + 1 });
    expect(given([...started, ...events, ...recorded]).requested).toBeNull();
  });
});
