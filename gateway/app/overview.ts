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

/** Each consumer's backlog: committed entries it has not handled yet (runtime/processor.ts). */
function consumerLag(system: BazaarySystem): OverviewDto['consumerLag'] {
  return system.processor.lags().map(({ consumer, lag }) => ({ consumer, lag }));
}

export async function overviewOf(system: BazaarySystem, now: number, requests: RequestTotals): Promise<OverviewDto> {
  const journal = system.runtime.log.stats();
  return {
    at: now,
    kinds: kindsOf(system),
    counters: {
      commandsAccepted: journal.entries,
      requests: requests.requests,
      rejections: requests.rejections,
      errors: requests.errors,
      journalBatches: journal.batches,
      journalEntries: journal.entries,
      processed: system.processor.processedCount,
    },
    // The group commit does not time its batches yet; the console says "not reported".
    journal: { queued: journal.queued, largestBatch: journal.largestBatch, commitLatencyMs: null },
    sagas: system.runtime.sagaStats(),
    consumerLag: consumerLag(system),
    timers: await timerSummary(system.stores.gatewayDb, now),
  };
}

