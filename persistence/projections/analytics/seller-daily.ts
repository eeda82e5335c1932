/**
 * The daily seller analytics table `seller_stats_daily` (migration 008): the aggregation SQL, the
 * consumer that runs it when the analytics actor asks (actors/analytics/analytics.ts), and the
 * range read the seller stats route serves.
 *
 * The consumer is where the job's I/O lives, so the actor stays pure: it journals
 * `AggregationRequested`, this consumer sees the entry (at least once), upserts every ACTIVE
 * seller's row for each requested day, and answers `RecordAggregation`. A repeat upserts the
 * same rows again and its answer is a duplicate command, so a day is never counted twice.
 *
 * It runs after the read-model consumer in the same round, so the orders of the batch that holds
 * the request are in `orders` already. The processor reads unprocessed entries in (key, seq)
 * order, not in time order, so while more than one batch is waiting (after a crash, or under a
 * burst), an `analytics:` request would come before older `order:` entries of a later batch. A
 * request seen in a FULL batch (`batchLimit` entries: more may be waiting) is therefore held in
 * memory and run with the first batch that is not full, when the backlog is drained. A held
 * request dies with the process (its entry is already checkpointed); the actor asks for the
 * same days again at its next run when a request stays open (actors/analytics/analytics.ts).
 */
import { numberOrNull } from '../../adapters/row-values.ts';
import type { AnalyticsEvent } from '../../../actors/analytics/analytics.ts';
import { dayMs } from '../../../actors/analytics/analytics.ts';
import type { Consumer } from '../../adapters/consumer.ts';
import type { Db } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { isKeyOf } from '../../../actors/keys.ts';

/** The answer of the analytics actor to a finished run; transient failures make the batch repeat. */
export type RecordAggregation = (fromDay: number, toDay: number) => Promise<{ readonly ok: boolean; readonly code?: string; readonly transient: boolean }>;

export interface SellerDailyRow {
  readonly sellerId: string;
  readonly day: string;
  readonly orders: number;
  readonly salesMinor: number;
  readonly shipped: number;
  readonly returnedDisputed: number;
  readonly avgFulfilmentMs: number | null;
  readonly computedAt: number;
}

/**
 * One statement for a range of days: every ACTIVE seller registered by the end of the day gets a
 * row per day, with zeros on a day without orders, so "this seller sold nothing" is a fact in
 * the table rather than a missing row. A day's orders are those PAID that day.
 */
const upsertSql = `
  WITH days AS (SELECT generate_series($1::integer, $2::integer) AS d),
  sellers AS (
    SELECT seller_id, registered_at FROM seller_stats WHERE registered AND status = 'ACTIVE'
  ),
  daily AS (
    SELECT seller_id, (paid_at / ${dayMs})::integer AS d, count(*) AS orders, sum(total_minor) AS sales,
      count(shipped_at) AS shipped,
      count(*) FILTER (WHERE disputed_at IS NOT NULL OR cancelled_at IS NOT NULL) AS returned_disputed,
      round(avg(shipped_at - paid_at)) AS avg_fulfilment_ms
    FROM orders
    WHERE confirmed_at IS NOT NULL AND paid_at >= $1::bigint * ${dayMs} AND paid_at < ($2::bigint + 1) * ${dayMs}
    GROUP BY 1, 2
  )
  INSERT INTO seller_stats_daily (seller_id, day, orders, sales_minor, shipped, returned_disputed, avg_fulfilment_ms, computed_at)
  SELECT s.seller_id, to_char(date '1970-01-01' + days.d, 'YYYY-MM-DD'), coalesce(daily.orders, 0), coalesce(daily.sales, 0),
    coalesce(daily.shipped, 0), coalesce(daily.returned_disputed, 0), daily.avg_fulfilment_ms::bigint, $3::bigint
  FROM sellers s CROSS JOIN days
  LEFT JOIN daily ON daily.seller_id = s.seller_id AND daily.d = days.d
  WHERE s.registered_at IS NULL OR s.registered_at < (days.d + 1)::bigint * ${dayMs}
  ON CONFLICT (seller_id, day) DO UPDATE SET
    orders = EXCLUDED.orders, sales_minor = EXCLUDED.sales_minor, shipped = EXCLUDED.shipped,
    returned_disputed = EXCLUDED.returned_disputed, avg_fulfilment_ms = EXCLUDED.avg_fulfilment_ms,
    computed_at = EXCLUDED.computed_at`;

/** Upserts the rows of days `fromDay`..`toDay` (epoch days, inclusive) for every ACTIVE seller. */
export async function aggregateSellerDays(db: Db, fromDay: number, toDay: number, computedAt: number): Promise<void> {
  if (!Number.isSafeInteger(fromDay) || !Number.isSafeInteger(toDay) || fromDay > toDay) {
    throw new Error(`analytics invariant broken: ${fromDay}..${toDay} is a range of days`);
  }
  await db.query(upsertSql, [fromDay, toDay, computedAt]);
}

function isRequest(event: unknown): event is Extract<AnalyticsEvent, { type: 'AggregationRequested' }> {
  return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'AggregationRequested';
}

export function createSellerDailyConsumer(db: Db, record: RecordAggregation, batchLimit: number): Consumer {
  /** Requests seen but not yet run, oldest first; bounded by the actor, which has one open at a time. */
  const held: { fromDay: number; toDay: number; at: number }[] = [];
  return {
    name: 'seller-daily',
    async handle(entries: readonly JournalEntry[]): Promise<void> {
      for (const entry of entries) {
        if (!isKeyOf('analytics', entry.key)) continue;
        for (const event of entry.events) {
          // A repeated batch brings the same request again; hold it once.
          if (isRequest(event) && !held.some((request) => request.fromDay === event.fromDay && request.toDay === event.toDay)) {
            held.push({ fromDay: event.fromDay, toDay: event.toDay, at: entry.at });
          }
        }
      }
      if (entries.length >= batchLimit) return;
      for (let request = held[0]; request !== undefined; request = held[0]) {
        await aggregateSellerDays(db, request.fromDay, request.toDay, request.at);
        const answer = await record(request.fromDay, request.toDay);
        // A transient failure (the runtime is stopping, a timeout) keeps the request held and
        // repeats the batch; the upsert is idempotent and the answer a duplicate command.
        if (!answer.ok && answer.transient) throw new Error(`analytics run ${request.fromDay}..${request.toDay} not recorded: ${answer.code}`);
        held.shift();
      }
    },
  };
}

/** Rows of one seller with `fromDay` <= day <= `toDay` (YYYY-MM-DD), oldest first. */
export async function sellerDailyRows(db: Db, sellerId: string, fromDay: string, toDay: string): Promise<SellerDailyRow[]> {
  const rows = await db.query(
    `SELECT seller_id, day, orders, sales_minor, shipped, returned_disputed, avg_fulfilment_ms, computed_at
     FROM seller_stats_daily WHERE seller_id = $1 AND day >= $2 AND day <= $3 ORDER BY day`,
    [sellerId, fromDay, toDay],
  );
  return rows.map((row) => ({
    sellerId: String(row['seller_id']),
    day: String(row['day']),
    orders: Number(row['orders']),
    salesMinor: Number(row['sales_minor']),
    shipped: Number(row['shipped']),
    returnedDisputed: Number(row['returned_disputed']),
    avgFulfilmentMs: numberOrNull(row['avg_fulfilment_ms']),
    computedAt: Number(row['computed_at']),
  }));
}
