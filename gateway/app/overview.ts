/**
 * The operator overview (ADMIN only), after the Akka and Orleans dashboards: one sample of the
 * running system per call. Counters are totals since start; the console samples every second
 * and charts the differences, so it keeps no history. The route (gateway/routes/admin-overview.ts)
 * reaches it through the operator port; it reads the running system, which only the composition
 * root holds.
 */
import type { OverviewDto, OverviewKindDto } from '../admin-api-types.ts';
import { timerSummary } from '../../persistence/adapters/timer-rows.ts';
import type { BazaarySystem } from './system.ts';

/** Request totals the gateway's metrics keep (gateway/metrics.ts). */
export interface RequestTotals {
  readonly requests: number;
  readonly rejections: number;
  readonly errors: number;
}

/** What a consumer-lag report may look like; the pipeline may or may not offer one (read defensively). */
interface LagReporter {
  consumerLag?: () => Readonly<Record<string, number>> | readonly { readonly consumer?: string; readonly name?: string; readonly lag: number }[];
}

function kindsOf(system: BazaarySystem): OverviewKindDto[] {
  const byKind = new Map<string, { resident: number; mailboxDepth: number }>();
  for (const kind of system.runtime.kinds()) byKind.set(kind, { resident: 0, mailboxDepth: 0 });
  for (const actor of system.runtime.list()) {
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
function consumerLag(system: BazaarySystem, written: number): OverviewDto['consumerLag'] {
  const processor = system.processor as unknown as LagReporter & { processedCount?: number };
  const reported = typeof processor.consumerLag === 'function' ? processor.consumerLag() : undefined;
  if (Array.isArray(reported)) return reported.map((row) => ({ consumer: row.consumer ?? row.name ?? 'consumer', lag: Number(row.lag) || 0 }));
  if (reported !== undefined) return Object.entries(reported).map(([consumer, lag]) => ({ consumer, lag: Number(lag) || 0 }));
  return [{ consumer: 'event processor (all consumers)', lag: Math.max(0, written - (processor.processedCount ?? 0)) }];
}

export async function overviewOf(system: BazaarySystem, now: number, requests: RequestTotals): Promise<OverviewDto> {
  const journal = system.stores.journal.stats();
  const latency = (journal as unknown as { commitLatencyMs?: number; lastBatchMs?: number }).commitLatencyMs ?? (journal as unknown as { lastBatchMs?: number }).lastBatchMs;
  return {
    at: now,
    kinds: kindsOf(system),
    counters: {
      commandsAccepted: journal.items,
      requests: requests.requests,
      rejections: requests.rejections,
      errors: requests.errors,
      journalBatches: journal.batches,
      journalEntries: journal.items,
      processed: (system.processor as unknown as { processedCount?: number }).processedCount ?? 0,
    },
    journal: { queued: journal.queued, largestBatch: journal.largestBatch, commitLatencyMs: typeof latency === 'number' ? latency : null },
    sagas: system.runtime.sagaStats(),
    consumerLag: consumerLag(system, journal.items),
    timers: await timerSummary(system.stores.db, now),
  };
}

