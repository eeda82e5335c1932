/**
 * The timer index's statements find each timer by its primary key however large `timers` grows,
 * on PGlite (timer-index-plans.test.ts) and on PostgreSQL (timer-index-plans.int.test.ts): in
 * the generic plans a pooled connection caches while the table is small and never analyzed, and
 * in fresh plans once it holds 10,000 timers. Every order leaves a ship-by timer row, so a plan
 * that reads the table whole costs more with every order taken (timer-index.ts says how much).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../persistence/adapters/db.ts';
import { fullReads, functionPlanOf, genericPlanOf, planOf, statementsSentBy, type SentStatement } from '../persistence/adapters/testing/plans.ts';
import { silentLogger } from './logger.ts';
import { TimerIndex } from './timer-index.ts';

const rowCount = 10_000;

/** Timers `alarm:<i>#ring` for i in `from`…`to`, pending, each its own target. */
async function insertTimers(db: Db, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO timers (id, target_key, message, due_at, scheduled_seq, created_at)
     SELECT 'alarm:' || i || '#ring', 'alarm:' || i, '{"type":"Ring"}'::jsonb, 1000000 + i, 1, i FROM generate_series(${from}, ${to}) i`,
  );
}

/** One round: every fifth listed alarm cancels its ring, and alarm 3 schedules its ring again (a redelivery). */
function round(alarms: readonly number[]) {
  return [
    ...alarms.filter((_, index) => index % 5 === 0).map((alarm) => ({ key: `alarm:${alarm}`, seq: 2, commandId: 'stop', at: 5, events: [{ type: 'TimerCancelled', timerId: 'ring' }] })),
    { key: 'alarm:3', seq: 1, commandId: 'set', at: 1, events: [{ type: 'TimerScheduled', timerId: 'ring', dueAt: 1000003, command: { type: 'Ring' } }] },
  ];
}

async function pending(db: Db, ids: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM timers WHERE id = ANY($1::text[]) AND cancelled_at IS NULL ORDER BY id', [ids]);
  return rows.map((row) => row.id);
}

export function describeTimerIndexPlans(name: string, open: () => Promise<Db>, close: (db: Db) => Promise<void>): void {
  describe(name, () => {
    let db: Db;
    let sentWhenSmall: SentStatement[] = [];
    const plansWhenSmall: string[] = [];

    beforeAll(async () => {
      db = await open();
      await insertTimers(db, 1, 20);
      sentWhenSmall = await statementsSentBy(db, (recording) => new TimerIndex(recording, silentLogger).handle(round([1, 2, 4, 6, 7])));
      for (const { sql } of sentWhenSmall) plansWhenSmall.push(await genericPlanOf(db, sql));
      // The cancel is a call of cancel_pending_timers (023_timer_stamps.sql): its own statement;
      // and the scheduler's mark_timers_fired.
      plansWhenSmall.push(await functionPlanOf(db, 'cancel_pending_timers', { ids: '($1::text[])', ats: '($2::bigint[])' }));
      plansWhenSmall.push(await functionPlanOf(db, 'mark_timers_fired', { ids: '($1::text[])', fired: '($2::bigint)' }));
      await insertTimers(db, 21, rowCount);
    }, 120_000);

    afterAll(async () => close(db));

    it('inserts, finds and cancels timers by key in the plans cached while the table was small', () => {
      // The insert, the look-up of the rescheduled ring, and the cancel (then the cancel's own statement).
      expect(sentWhenSmall).toHaveLength(3);
      expect(sentWhenSmall.filter(({ sql }) => sql.includes('cancel_pending_timers'))).toHaveLength(1);
      for (const plan of plansWhenSmall) expect(fullReads(plan, ['timers'])).toEqual([]);
      expect(plansWhenSmall.filter((plan) => /Index Scan (using|on) timers_pkey/.test(plan))).toHaveLength(3);
    });

    it('cancels exactly the pending timers it names, through the primary key, once the table is big', async () => {
      const alarms = Array.from({ length: 60 }, (_, index) => index * 150 + 7);
      const cancelled = alarms.filter((_, index) => index % 5 === 0).map((alarm) => `alarm:${alarm}#ring`);
      const sent = await statementsSentBy(db, (recording) => new TimerIndex(recording, silentLogger).handle(round(alarms)));
      for (const { sql, params } of sent) expect(fullReads(await planOf(db, sql, params), ['timers'])).toEqual([]);
      expect(await functionPlanOf(db, 'cancel_pending_timers', { ids: '($1::text[])', ats: '($2::bigint[])' })).toMatch(/Index Scan (using|on) timers_pkey/);
      expect(await pending(db, cancelled)).toEqual([]);
      // Its neighbours stay pending, and a cancel named again stamps nothing twice.
      expect(await pending(db, ['alarm:8#ring', 'alarm:156#ring'])).toEqual(['alarm:156#ring', 'alarm:8#ring']);
      const [before] = await db.query<{ at: number }>('SELECT cancelled_at AS at FROM timers WHERE id = $1', [cancelled[0]]);
      await new TimerIndex(db, silentLogger).handle([{ key: 'alarm:7', seq: 3, commandId: 'stop-again', at: 9, events: [{ type: 'TimerCancelled', timerId: 'ring' }] }]);
      expect(await db.query('SELECT cancelled_at AS at FROM timers WHERE id = $1', [cancelled[0]])).toEqual([before]);
    });
  });
}
