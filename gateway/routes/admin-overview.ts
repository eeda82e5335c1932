/**
 * The operator overview (ADMIN only), after the Akka and Orleans dashboards: one sample of the
 * running system per call. Counters are totals since start; the console samples every second
 * and charts the differences, so this route keeps no history and costs two small SQL counts.
 */
import type { OverviewDto, OverviewKindDto } from '../admin-api-types.ts';
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ok } from '../http.ts';

/** What a consumer-lag report may look like; the pipeline may or may not offer one (read defensively). */
interface LagReporter {
  consumerLag?: () => Readonly<Record<string, number>> | readonly { readonly consumer?: string; readonly name?: string; readonly lag: number }[];
}

function kindsOf(context: GatewayContext): OverviewKindDto[] {
  const byKind = new Map<string, { resident: number; mailboxDepth: number }>();
  for (const kind of context.system.runtime.kinds()) byKind.set(kind, { resident: 0, mailboxDepth: 0 });
  for (const actor of context.system.runtime.list()) {
    const totals = byKind.get(actor.kind) ?? { resident: 0, mailboxDepth: 0 };
    totals.resident += 1;
    totals.mailboxDepth += actor.mailboxDepth;
    byKind.set(actor.kind, totals);
  }
  return [...byKind].map(([kind, totals]) => ({ kind, ...totals })).sort((a, b) => a.kind.localeCompare(b.kind));
}

/**
 * Lag per consumer when the processor reports it; otherwise the one shared processor's backlog
 * (entries written this process minus entries it handled), named as such.
 */
function consumerLag(context: GatewayContext, written: number): OverviewDto['consumerLag'] {
  const processor = context.system.processor as unknown as LagReporter & { processedCount?: number };
  const reported = typeof processor.consumerLag === 'function' ? processor.consumerLag() : undefined;
  if (Array.isArray(reported)) return reported.map((row) => ({ consumer: row.consumer ?? row.name ?? 'consumer', lag: Number(row.lag) || 0 }));
  if (reported !== undefined) return Object.entries(reported).map(([consumer, lag]) => ({ consumer, lag: Number(lag) || 0 }));
  return [{ consumer: 'event processor (all consumers)', lag: Math.max(0, written - (processor.processedCount ?? 0)) }];
}

async function timersOf(context: GatewayContext, now: number): Promise<OverviewDto['timers']> {
  const rows = await context.db.query(
    `SELECT count(*) AS pending,
            count(*) FILTER (WHERE due_at <= $1) AS overdue,
            count(*) FILTER (WHERE due_at <= $2) AS within_hour,
            min(due_at) AS next_due
       FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL`,
    [now, now + 3_600_000],
  );
  const row = rows[0] ?? {};
  const next = row['next_due'];
  return { pending: Number(row['pending'] ?? 0), overdue: Number(row['overdue'] ?? 0), dueWithinHour: Number(row['within_hour'] ?? 0), nextDueAt: next === null || next === undefined ? null : Number(next) };
}

export async function overviewOf(context: GatewayContext): Promise<OverviewDto> {
  const now = context.clock.now();
  const journal = context.system.stores.journal.stats();
  const latency = (journal as unknown as { commitLatencyMs?: number; lastBatchMs?: number }).commitLatencyMs ?? (journal as unknown as { lastBatchMs?: number }).lastBatchMs;
  const requests = context.metrics.totals();
  return {
    at: now,
    kinds: kindsOf(context),
    counters: {
      commandsAccepted: journal.items,
      requests: requests.requests,
      rejections: requests.rejections,
      errors: requests.errors,
      journalBatches: journal.batches,
      journalEntries: journal.items,
      processed: (context.system.processor as unknown as { processedCount?: number }).processedCount ?? 0,
    },
    journal: { queued: journal.queued, largestBatch: journal.largestBatch, commitLatencyMs: typeof latency === 'number' ? latency : null },
    sagas: context.system.runtime.sagaStats(),
    consumerLag: consumerLag(context, journal.items),
    timers: await timersOf(context, now),
  };
}

export const adminOverviewRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/admin/overview',
    access: ['ADMIN'],
    tag: 'operators',
    summary: 'One sample of the running system: resident actors and mailboxes by kind, command, request, rejection and error totals, journal batches, consumer lag, sagas, timers due.',
    handler: async (_request, context) => ok(await overviewOf(context)),
  },
];
