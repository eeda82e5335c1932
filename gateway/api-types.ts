/**
 * The wire shapes of the HTTP and WebSocket API (DESIGN.md §5). The gateway builds them and the
 * storefront reads them through `import type` only (STYLE.md). Money is integer minor units
 * (cents) with a currency code, never floats, the wire included.
 */

import type { AddressDto, Currency, Page, ProductDto, OrderStatus, OrderItemDto, TimelineStepDto, OrderDto, MailStatus, MailDto, NotificationEvent, NotificationData, NotificationDto } from '../persistence/projections/views.ts';
import type { LedgerAudit } from '../persistence/projections/readmodels/audit.ts';
import type { ProductDoc } from '../persistence/adapters/search/search-index.ts';
import type { ProductFields } from '../actors/seller/seller-messages.ts';

export type { Currency, Page, ProductDto, OrderStatus, OrderItemDto, TimelineStepDto, OrderDto, MailStatus, MailDto, NotificationEvent, NotificationData, NotificationDto, LedgerStatus, LedgerKind, LedgerEntryDto, SellerStatsDto, SellerDailyStatDto, ShipToDto, AddressDto } from '../persistence/projections/views.ts';

/** The ledger audit an operator runs (GET /api/admin/audit). */
export type AuditDto = LedgerAudit;

export type UserRole = 'BUYER' | 'SELLER' | 'ADMIN';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export interface UserDto {
  readonly id: string;
  readonly email: string;
  readonly role: UserRole;
  readonly displayName: string;
  readonly createdAt: number;
}

/** Answer of register and login. The token is also set as the HttpOnly `access_token` cookie;
 *  it is returned for Bearer clients (k6, WebSocket tools). */
export interface AuthDto {
  readonly user: UserDto;
  readonly token: string;
  readonly expiresAt: number;
}

export interface CategoryDto {
  readonly slug: string;
  readonly count: number;
}

/** A search hit is the search port's document, so the two cannot drift apart. */
export type SearchHitDto = ProductDoc;

export interface SearchDto {
  readonly hits: readonly SearchHitDto[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly facets: {
    readonly category: Readonly<Record<string, number>>;
    readonly sellerId: Readonly<Record<string, number>>;
    readonly price: { readonly min: number; readonly max: number } | null;
  };
  /** Seller id → display name for the seller facet. */
  readonly sellerNames: Readonly<Record<string, string>>;
}

export interface CheckoutRequestDto {
  /** Chosen by the client (a UUID): a double click or retry addresses the same checkout. */
  readonly checkoutId: string;
  readonly items: readonly { readonly productId: string; readonly qty: number }[];
}

export interface CheckoutDto {
  readonly checkoutId: string;
  readonly orderIds: readonly string[];
}

export interface WalletDto {
  readonly userId: string;
  readonly currency: Currency;
  /** Spendable. */
  readonly balanceMinor: number;
  /** A seller's pending (escrowed) funds. */
  readonly lockedMinor: number;
}

export interface MoneyCommandDto {
  /** Chosen by the client: a retry with the same id moves money once. */
  readonly commandId: string;
  readonly amountMinor: number;
}

/** `POST /api/products`: the product's fields and a client command id. */
export interface CreateProductDto extends ProductFields {
  /** Chosen by the client: a retry with the same id creates the product once and gets it again. */
  readonly commandId: string;
}

export interface ActorSummaryDto {
  readonly key: string;
  readonly kind: string;
  readonly resident: boolean;
  readonly mailboxDepth: number;
  readonly lastSeq: number;
  readonly pendingTimers: number;
  readonly idleMs: number | null;
}

export interface ActorStateDto {
  readonly key: string;
  readonly seq: number;
  /** The time of the entry at `seq` (epoch ms), null for an empty stream. */
  readonly at: number | null;
  readonly state: unknown;
  readonly pendingTimers: readonly { readonly id: string; readonly dueAt: number; readonly message: unknown }[];
}

export interface JournalEntryDto {
  readonly key: string;
  readonly seq: number;
  readonly commandId: string;
  readonly at: number;
  readonly events: readonly unknown[];
}

// ---- Notifications and the WebSocket protocol ----

export type WsClientMessage =
  | { readonly id: string; readonly type: 'command'; readonly name: string; readonly args?: unknown }
  | { readonly type: 'resume'; readonly afterSeq: number }
  | { readonly type: 'ping' };

export type WsServerMessage =
  | { readonly type: 'hello'; readonly userId: string; readonly role: UserRole; readonly lastSeq: number }
  | { readonly id: string; readonly ok: true; readonly result: unknown }
  | { readonly id: string | null; readonly ok: false; readonly error: { readonly code: string; readonly message: string } }
  | NotificationDto
  /** Sent after a resume's replay: everything up to `lastSeq` has been delivered. */
  | { readonly type: 'resumed'; readonly lastSeq: number }
  | { readonly type: 'pong' };

// ---- The notification centre (issue #15 §2) ----

/** GET /api/notifications: newest first, with the server's read marks. */
export interface NotificationCentreDto {
  readonly items: readonly { readonly notification: NotificationDto; readonly read: boolean }[];
  readonly unread: number;
}

/** POST /api/notifications/read: one notification by seq, or every one up to throughSeq. */
export type MarkReadDto = { readonly seq: number } | { readonly throughSeq: number };

/** GET /api/account/addresses: the shopper's address book and how many it may hold. */
export interface AddressBookDto {
  readonly addresses: readonly AddressDto[];
  readonly max: number;
}
