/**
 * The narrow ports route handlers are given instead of the database and the whole system
 * (DESIGN.md §1): commands to the actors (asks with a timeout), one query port per read side,
 * the operators' view of the runtime, and readiness. gateway/app/ports.ts builds them over a
 * running system; a handler test can hand in fakes of just the ports it uses.
 */
import type { CartLine } from '../actors/checkout/checkout-messages.ts';
import type { ShipToAddress } from '../actors/order/ship-to.ts';
import type { AddressStore } from '../persistence/adapters/addresses.ts';
import type { Failure } from '../runtime/ask.ts';
import type { ResidentInfo } from '../runtime/runtime.ts';
import type { Inspection } from '../runtime/entity.ts';
import type { Decider } from '../actors/decider.ts';
import type { ActorKind } from '../actors/keys.ts';
import type { JournalEntry } from '../persistence/adapters/journal.ts';
import type { PendingTimerView } from '../persistence/adapters/timer-rows.ts';
import type { LedgerAudit } from '../persistence/projections/readmodels/audit.ts';
import type { OrderListQuery } from '../persistence/projections/readmodels/order-queries.ts';
import type { ProductListQuery } from '../persistence/projections/readmodels/product-queries.ts';
import type { PlannedMail } from '../persistence/projections/mail/plan.ts';
import type { LedgerEntryDto, MailDto, MailStatus, OrderDto, Page, ProductDto, SellerStatsDto } from '../persistence/projections/views.ts';
import type { BazaarySystem } from './app/system.ts';
import type { RequestTotals } from './app/overview.ts';
import type { ClusterDto, OverviewDto } from './admin-api-types.ts';
import type { ClusterViewQuery } from './app/cluster-view.ts';
import type { NotificationHistory } from '../persistence/projections/notifications/history.ts';
import type { ActorMatchDto } from '../persistence/projections/views.ts';

export interface CheckoutRequest {
  /** Chosen by the client, so a double click or a retry addresses the same checkout. */
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly lines: readonly CartLine[];
  /** Where every order goes; absent when the client sent none. */
  readonly shipTo?: ShipToAddress;
}

export interface CheckoutSucceeded {
  readonly ok: true;
  readonly checkoutId: string;
  readonly orderIds: readonly string[];
}

/** A refused checkout: the runtime's or the saga's code, and the orders it had placed (all compensated). */
export interface CheckoutRefused extends Failure {
  readonly orderIds: readonly string[];
}

/** Commands to the actors. Each ask waits at most the runtime's ask timeout (or the given one). */
export interface CommandPort {
  readonly wallets: Pick<BazaarySystem['wallets'], 'ask' | 'inspect'>;
  readonly sellers: Pick<BazaarySystem['sellers'], 'ask' | 'inspect'>;
  readonly orders: Pick<BazaarySystem['orders'], 'ask'>;
  /** Starts (or re-addresses) a checkout and waits until it is settled (app/commerce.ts). */
  checkout(request: CheckoutRequest): Promise<CheckoutSucceeded | CheckoutRefused | Failure>;
}

export interface OrderQueries {
  /** A seller's confirmed orders whose number starts with `prefix` (the number is a hash of the id). */
  idsByNumber(sellerId: string, prefix: string): Promise<string[]>;
  find(orderId: string): Promise<OrderDto | null>;
  list(query: OrderListQuery): Promise<Page<OrderDto>>;
}

export interface ProductQueries {
  find(productId: string): Promise<ProductDto | null>;
  list(query: ProductListQuery): Promise<Page<ProductDto>>;
  /** Product id → seller id, for live (not deleted) products only. */
  sellersOf(productIds: readonly string[]): Promise<Map<string, string>>;
}

export interface LedgerQueries {
  page(walletId: string, page: number, pageSize: number): Promise<Page<LedgerEntryDto>>;
}

export interface SellerQueries {
  stats(sellerId: string, fromMs: number, toMs: number): Promise<SellerStatsDto>;
  names(sellerIds: readonly string[]): Promise<Record<string, string>>;
}

/** The mail outbox: what the gateway plans itself (the welcome mail), and the operators' list. */
export interface MailOutboxPort {
  /** Inserts the mails whose keys are new and wakes the sender when any was. */
  enqueue(mails: readonly PlannedMail[]): Promise<void>;
  list(query: { readonly status?: MailStatus | undefined; readonly page: number; readonly pageSize: number }): Promise<Page<MailDto>>;
}

export interface QueryPorts {
  readonly orders: OrderQueries;
  readonly products: ProductQueries;
  readonly ledger: LedgerQueries;
  readonly sellers: SellerQueries;
}

/** What operators may see of the runtime, the journal and the timers (ADMIN routes). */
export interface OperatorPort {
  residents(): ResidentInfo[];
  /** Keys that have a journal, of one kind (`order:`), for the passivated part of the list. */
  keysOfKind(kind: ActorKind): Promise<string[]>;
  /** The live state; rehydrates a passivated actor. Callers check `hasJournal` first. */
  inspect(key: string): Promise<Inspection<unknown> | Failure>;
  /** True when the actor is resident or has journaled anything: a key never used has neither. */
  exists(key: string): Promise<boolean>;
  deciderOf(kind: string): Decider<unknown, unknown, unknown, string> | undefined;
  journal(key: string, afterSeq: number, limit: number): Promise<JournalEntry[]>;
  lastSeq(key: string): Promise<number>;
  pendingTimers(key: string): Promise<PendingTimerView[]>;
  pendingTimerCounts(): Promise<Map<string, number>>;
  audit(): Promise<LedgerAudit>;
  /** Actors by what people quote (order number, email, product title, key); reads no actor. */
  findActors(text: string): Promise<ActorMatchDto[]>;
  /** One sample of the running system for the console's overview. */
  overview(now: number, requests: RequestTotals): Promise<OverviewDto>;
  /** Nodes, shard leases and the handoffs this node saw; says so when cluster mode is off. */
  cluster(query: ClusterViewQuery): Promise<ClusterDto>;
}

/** The notification centre: a user's persisted notifications with read marks. */
export interface NotificationCentrePort {
  history(userId: string, beforeSeq: number | null, limit: number): Promise<NotificationHistory>;
  markRead(userId: string, target: { readonly seq: number } | { readonly throughSeq: number }, at: number): Promise<number>;
}

/** The signed-in shopper's address book (persistence/adapters/addresses.ts). */
export type AddressBookPort = AddressStore;

export interface HealthPort {
  /** `ok`, or why the SQL store does not answer. */
  checkDb(): Promise<string>;
  processorRunning(): boolean;
  /** Each consumer's lag and failures in a row (runtime/processor.ts). */
  consumers(): readonly { readonly consumer: string; readonly lag: number; readonly failures: number }[];
}
