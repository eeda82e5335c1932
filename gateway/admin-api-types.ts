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

/** GET /api/admin/cluster with cluster mode off: this process is the only node (embedded or one PostgreSQL). */
export interface ClusterOffDto {
  readonly enabled: false;
  readonly reason: string;
}

export interface ClusterNodeDto {
  readonly node: string;
  readonly address: string;
  /** Since its last heartbeat, on the database's clock. */
  readonly heartbeatAgeMs: number;
  /** False once its heartbeat expired without the node leaving (it died or stalled). */
  readonly live: boolean;
  /** Shards whose live lease it holds. */
  readonly shards: number;
}

export interface ClusterShardDto {
  readonly shard: number;
  /** Null when nobody holds a live lease (released, or expired and not yet claimed). */
  readonly owner: string | null;
  readonly epoch: number;
  /** Until the lease lapses unless renewed, on the database's clock; null without a live lease. */
  readonly expiresInMs: number | null;
}

export interface HandoffDto {
  readonly shard: number;
  readonly from: string | null;
  readonly to: string | null;
  readonly epoch: number;
  readonly change: 'claim' | 'release' | 'expiry';
  /** Epoch ms of the lease read on the answering node that saw the change. */
  readonly seenAt: number;
}

/** GET /api/admin/cluster in cluster mode: the lease tables, and what the answering node has seen. */
export interface ClusterOnDto {
  readonly enabled: true;
  /** The node that answered (the balancer picks one), and its settings. */
  readonly node: string;
  readonly shardCount: number;
  readonly leaseTtlMs: number;
  /** The database's clock when the tables were read. */
  readonly at: number;
  readonly nodes: readonly ClusterNodeDto[];
  /** Every shard ever claimed, ascending (only the asked owner's with ?owner=). */
  readonly shards: readonly ClusterShardDto[];
  /** The latest ownership changes the answering node saw, newest first; its history is in
   *  memory, bounded, and starts at `handoffsSince` (its first read of the lease table). */
  readonly handoffs: readonly HandoffDto[];
  readonly handoffsSince: number | null;
}

export type ClusterDto = ClusterOffDto | ClusterOnDto;
