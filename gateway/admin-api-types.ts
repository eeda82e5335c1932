/**
 * Wire types of the operator console's finder and overview (gateway/routes/admin-search.ts and
 * admin-overview.ts). A file of their own, beside api-types.ts, so the console's types change
 * without touching the shop's; the storefront imports them by `import type` only.
 */

/** What a match was found by: the words an operator reads off a ticket or hears on the phone. */
export type ActorMatchReason = 'actor key' | 'order number' | 'order id' | 'email' | 'product title';

export interface ActorMatchDto {
  /** The full actor key (never shortened: two keys may share a long prefix). */
  readonly key: string;
  readonly kind: string;
  readonly matchedBy: ActorMatchReason;
  /** What matched, for people: "Order #3F2A91C0", "alice@bazaary.dev", "Scented Candle". */
  readonly label: string;
  /** The order's status, a user's role, or a product's listing state; null when there is none. */
  readonly status: string | null;
  readonly buyer: string | null;
  readonly seller: string | null;
}

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
