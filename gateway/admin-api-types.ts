/**
 * Wire types of the operator console's finder and overview (gateway/routes/admin-search.ts and
 * admin-overview.ts). A file of their own, beside api-types.ts, so the console's types change
 * without touching the shop's; the storefront imports them by `import type` only.
 */
import type { ActorMatchDto, ActorMatchReason } from '../persistence/projections/views.ts';

export type { ActorMatchDto, ActorMatchReason };


export interface ActorSearchDto {
  readonly query: string;
  readonly items: readonly ActorMatchDto[];
}

export interface OverviewKindDto {
  readonly kind: string;
  readonly resident: number;
  readonly mailboxDepth: number;
}

/**
 * One sample of the running system. Counters are totals since the process started: the console
 * takes two samples and divides by the time between them, so a rate is never averaged over a
 * window the operator did not choose.
 */
export interface OverviewDto {
  readonly at: number;
  readonly kinds: readonly OverviewKindDto[];
  readonly counters: {
    /** Commands the actors accepted (one journal entry each). */
    readonly commandsAccepted: number;
    /** HTTP and WebSocket requests answered. */
    readonly requests: number;
    /** Requests answered 4xx: rejections and bad input. */
    readonly rejections: number;
    /** Requests answered 5xx. */
    readonly errors: number;
    readonly journalBatches: number;
    readonly journalEntries: number;
    /** Entries the event processor handed to every consumer. */
    readonly processed: number;
  };
  readonly journal: { readonly queued: number; readonly largestBatch: number; readonly commitLatencyMs: number | null };
  readonly sagas: { readonly effectsInFlight: number; readonly effectsQueued: number; readonly waiters: number };
  /** Entries each consumer still has to handle. */
  readonly consumerLag: readonly { readonly consumer: string; readonly lag: number }[];
  readonly timers: { readonly pending: number; readonly overdue: number; readonly dueWithinHour: number; readonly nextDueAt: number | null };
}
