import { describe, expect, it } from 'vitest';
import { deciderSpecification } from '../testing/decider-spec.ts';
import type { AnalyticsEvent } from './analytics.ts';
import { analyticsDecider, catchUpDaysPerRunMax, dayMs, epochDay } from './analytics.ts';

const jan5 = Date.UTC(2026, 0, 5, 15, 30);
const day = (iso: string) => epochDay(Date.parse(`${iso}T00:00:00Z`));

const started: AnalyticsEvent[] = [
  { type: 'AnalyticsStarted', firstDay: day('2026-01-05'), cron: '0 0 * * *', at: jan5 },
  { type: 'TimerScheduled', timerId: 'run-1', dueAt: Date.UTC(2026, 0, 6), command: { type: 'RunDailyAggregation', timerId: 'run-1' } },
];

const { given, stateOf } = deciderSpecification(analyticsDecider, { now: jan5 });
const run = (timerId: string) => ({ type: 'RunDailyAggregation', timerId }) as const;

describe('the analytics actor', () => {
  it('on its first start counts from today and schedules the next cron time', () => {
    given().when({ type: 'StartAnalytics', commandId: 's', cron: '0 0 * * *' }, jan5).then(...started);
    expect(stateOf(started).lastCompletedDay).toBe(day('2026-01-04'));
  });

  it('changes nothing on a later start with the same cron, even when the timer is overdue', () => {
    given(...started).when({ type: 'StartAnalytics', commandId: 's2', cron: '0 0 * * *' }, jan5 + 9 * dayMs).then();
  });

  it('replaces the pending timer when the cron changed', () => {
    given(...started)
      .when({ type: 'StartAnalytics', commandId: 's2', cron: '0 6 * * *' }, jan5)
      .then(
        { type: 'CronChanged', cron: '0 6 * * *', at: jan5 },
        { type: 'TimerCancelled', timerId: 'run-1' },
        { type: 'TimerScheduled', timerId: 'run-2', dueAt: Date.UTC(2026, 0, 6, 6), command: run('run-2') },
      );
  });

  it('refuses a start with an invalid cron', () => {
    given().when({ type: 'StartAnalytics', commandId: 's', cron: '61 * * * *' }, jan5).thenRejects('invalid_cron');
  });

  it('at midnight asks for yesterday and schedules the next midnight', () => {
    const midnight = Date.UTC(2026, 0, 6);
    given(...started)
      .when(run('run-1'), midnight)
      .then(
        { type: 'TimerCancelled', timerId: 'run-1' },
        { type: 'TimerScheduled', timerId: 'run-2', dueAt: Date.UTC(2026, 0, 7), command: run('run-2') },
        { type: 'AggregationRequested', fromDay: day('2026-01-05'), toDay: day('2026-01-05'), at: midnight },
      );
  });

  it('firing late after downtime asks for every missed day', () => {
    const late = Date.UTC(2026, 0, 9, 8);
    given(...started)
      .when(run('run-1'), late)
      .thenAccepts((events) => {
        expect(events.at(-1)).toEqual({ type: 'AggregationRequested', fromDay: day('2026-01-05'), toDay: day('2026-01-08'), at: late });
        expect(events[1]).toMatchObject({ type: 'TimerScheduled', dueAt: Date.UTC(2026, 0, 10) });
      });
  });

  it('records a finished run once, and ignores a stale or repeated answer', () => {
    const midnight = Date.UTC(2026, 0, 6);
    // The run's own events are the previous test's subject.
    const running = given(...started).when(run('run-1'), midnight).thenAccepts();
    const record = { type: 'RecordAggregation', fromDay: day('2026-01-05'), toDay: day('2026-01-05') } as const;
    const done = given(...running)
      .when(record, midnight + 1_000)
      .then({ type: 'DaysAggregated', fromDay: day('2026-01-05'), toDay: day('2026-01-05'), at: midnight + 1_000 });
    expect(stateOf(done).lastCompletedDay).toBe(day('2026-01-05'));
    expect(stateOf(done).requested).toBeNull();
    given(...done).when(record, midnight + 2_000).then();
    given(...running).when({ ...record, toDay: day('2026-01-06') }, midnight + 2_000).then();
  });

  it('ignores a timer it does not hold (delivered twice, or replaced)', () => {
    given(...started).when(run('run-9'), Date.UTC(2026, 0, 6)).then();
  });

  it('catches up a long outage in chunks, asking for the next chunk when one is recorded', () => {
    const late = Date.UTC(2026, 2, 1, 3);
    const firstChunk = { fromDay: day('2026-01-05'), toDay: day('2026-01-05') + catchUpDaysPerRunMax - 1 };
    const running = given(...started)
      .when(run('run-1'), late)
      .thenAccepts((fired) => expect(fired.at(-1)).toEqual({ type: 'AggregationRequested', ...firstChunk, at: late }));
    given(...running)
      .when({ type: 'RecordAggregation', ...firstChunk }, late + 1)
      .thenAccepts((recorded) => expect(recorded[1]).toEqual({ type: 'AggregationRequested', fromDay: firstChunk.toDay + 1, toDay: day('2026-02-28'), at: late + 1 }));
  });

  it('a timer firing while a request is still open asks for the same days again, and the first answer completes it', () => {
    const open = { fromDay: day('2026-01-05'), toDay: day('2026-01-05') };
    const midnight = Date.UTC(2026, 0, 6);
    const asked = given(...started, { type: 'AggregationRequested', ...open, at: jan5 })
      .when(run('run-1'), midnight)
      .thenAccepts((events) => {
        expect(events.map((event) => event.type)).toEqual(['TimerCancelled', 'TimerScheduled', 'AggregationRequested']);
        expect(events[2]).toEqual({ type: 'AggregationRequested', ...open, at: midnight });
      });
    const recorded = given(...asked)
      .when({ type: 'RecordAggregation', ...open }, midnight + 1)
      .thenAccepts((events) => expect(events[0]).toEqual({ type: 'DaysAggregated', ...open, at: midnight + 1 }));
    expect(stateOf(recorded).requested).toBeNull();
  });
});
