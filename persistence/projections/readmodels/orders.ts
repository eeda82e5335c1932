/**
 * The `orders` and `order_items` read models, projected from order events
 * (actors/order/order-messages.ts). Tables: migrations/004_read_models.sql.
 *
 * The status, saga and failure columns follow the order actor's own evolve
 * (actors/order/order-evolve.ts); step and timer events change nothing here but the row's
 * last_seq, since the timers table and the saga runtime own those.
 */
import { isSideStep } from '../../../actors/order/order-evolve.ts';
import { shipByTimerId } from '../../../actors/order/order-steps.ts';
import type { OrderEvent, OrderStatus, ShipToAddress } from '../../../actors/order/order-messages.ts';
import { assertNever } from '../../../actors/decider.ts';
import type { Db, Row, Statement } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { selectByKeys, upsertStatement, type TableSpec } from './sql.ts';
import { unapplied, type Stream } from './streams.ts';

export interface OrderRow extends Row {
  readonly id: string;
  readonly checkout_id: string;
  readonly buyer_id: string;
  readonly seller_id: string;
  readonly status: OrderStatus;
  readonly saga: 'placing' | 'releasing' | 'cancelling' | null;
  readonly currency: string;
  readonly total_minor: number;
  readonly fee_minor: number;
  readonly platform_fee_bps: number;
  readonly released_minor: number | null;
  readonly refunded_minor: number | null;
  readonly placed_at: number;
  readonly priced_at: number | null;
  readonly paid_at: number | null;
  readonly shipped_at: number | null;
  readonly delivered_at: number | null;
  readonly completed_at: number | null;
  readonly cancelled_at: number | null;
  readonly failed_at: number | null;
  /** When the checkout confirmed the order: from then on it exists for buyer and seller (issue #15 §1). */
  readonly confirmed_at: number | null;
  /** When an unshipped paid order is cancelled by its ship-by timer; null once it no longer applies. */
  readonly ship_by_at: number | null;
  readonly carrier: string | null;
  readonly tracking_number: string | null;
  /** Where the order goes (OrderPlaced.shipTo); null for orders placed without an address. */
  readonly ship_to: ShipToAddress | null;
  readonly release_due_at: number | null;
  readonly release_reason: string | null;
  readonly cancel_reason: string | null;
  readonly dispute_reason: string | null;
  readonly disputed_at: number | null;
  readonly dispute_resolution: 'refund' | 'release' | null;
  readonly dispute_resolved_by: string | null;
  readonly dispute_resolved_at: number | null;
  readonly failure_code: string | null;
  readonly failure_message: string | null;
  readonly last_seq: number;
  readonly updated_at: number;
}

export interface OrderItemRow extends Row {
  readonly order_id: string;
  readonly line_no: number;
  readonly seller_id: string;
  readonly product_id: string;
  readonly title: string;
  readonly qty: number;
  readonly unit_price_minor: number;
  readonly line_total_minor: number;
  readonly seq: number;
}

export const ordersTable: TableSpec = {
  table: 'orders',
  columns: {
    id: 'text',
    checkout_id: 'text',
    buyer_id: 'text',
    seller_id: 'text',
    status: 'text',
    saga: 'text',
    currency: 'text',
    total_minor: 'bigint',
    fee_minor: 'bigint',
    platform_fee_bps: 'integer',
    released_minor: 'bigint',
    refunded_minor: 'bigint',
    placed_at: 'bigint',
    priced_at: 'bigint',
    paid_at: 'bigint',
    shipped_at: 'bigint',
    delivered_at: 'bigint',
    completed_at: 'bigint',
    cancelled_at: 'bigint',
    failed_at: 'bigint',
    confirmed_at: 'bigint',
    ship_by_at: 'bigint',
    carrier: 'text',
    tracking_number: 'text',
    ship_to: 'jsonb',
    release_due_at: 'bigint',
    release_reason: 'text',
    cancel_reason: 'text',
    dispute_reason: 'text',
    disputed_at: 'bigint',
    dispute_resolution: 'text',
    dispute_resolved_by: 'text',
    dispute_resolved_at: 'bigint',
    failure_code: 'text',
    failure_message: 'text',
    last_seq: 'integer',
    updated_at: 'bigint',
  },
  key: ['id'],
  versionColumn: 'last_seq',
};

export const orderItemsTable: TableSpec = {
  table: 'order_items',
  columns: {
    order_id: 'text',
    line_no: 'integer',
    seller_id: 'text',
    product_id: 'text',
    title: 'text',
    qty: 'integer',
    unit_price_minor: 'bigint',
    line_total_minor: 'bigint',
    seq: 'integer',
  },
  key: ['order_id', 'line_no'],
};

/**
 * Reads what the order streams of a batch build on and returns the statements that project their
 * new entries; adds their order ids to `touchedOrders`, and to `ledgerUnchanged` those whose
 * ledger lines `reconcileLedger` cannot change (`leavesLedgerAsIs`).
 */
export async function projectOrders(db: Db, streams: readonly Stream<OrderEvent>[], touchedOrders: Set<string>, ledgerUnchanged: Set<string>): Promise<Statement[]> {
  if (streams.length === 0) return [];
  const heads = await selectByKeys<OrderRow>(db, ordersTable, streams.map((stream) => ({ id: stream.id })));
  const headById = new Map(heads.map((row) => [row.id, row]));
  const rows: OrderRow[] = [];
  const items: OrderItemRow[] = [];
  for (const stream of streams) {
    const head = headById.get(stream.id) ?? null;
    const fresh = unapplied(stream, head?.last_seq ?? 0);
    if (fresh.length === 0) continue;
    let row = head;
    for (const entry of fresh) row = applyOrderEntry(stream, row, entry, items);
    if (row !== null) rows.push(row);
    touchedOrders.add(stream.id);
    if (head === null && row !== null && leavesLedgerAsIs(row)) ledgerUnchanged.add(stream.id);
  }
  return [...upsertStatement(ordersTable, rows, 'update'), ...upsertStatement(orderItemsTable, items, 'nothing')];
}

/**
 * An order whose row this batch creates, neither COMPLETED nor with a release due: no ledger line
 * of it can be changed by `reconcileLedger` (wallets.ts). A line is written with `locked_until`
 * null and only the reconcile sets it, from the order's row, which did not exist before this
 * batch; and a purchase is completed only with its order. Nearly every order of a checkout load
 * is such an order, and the reconcile's statement then goes unsent.
 */
function leavesLedgerAsIs(row: OrderRow): boolean {
  return row.status !== 'COMPLETED' && row.release_due_at === null;
}

function applyOrderEntry(stream: Stream<OrderEvent>, row: OrderRow | null, entry: JournalEntry<OrderEvent>, items: OrderItemRow[]): OrderRow {
  let next = row;
  for (const event of entry.events) {
    if (event.type === 'OrderPlaced') {
      if (next !== null) throw new Error(`read model: ${stream.key} seq ${entry.seq} places an order that was placed already`);
      if (event.orderId !== stream.id) throw new Error(`read model: ${stream.key} seq ${entry.seq} places order ${event.orderId}`);
      next = placedRow(event);
    } else {
      if (next === null) throw new Error(`read model: ${stream.key} seq ${entry.seq} has a ${event.type} before OrderPlaced`);
      next = applyOrderEvent(next, event, entry.seq, items);
    }
  }
  if (next === null) throw new Error(`read model: ${stream.key} seq ${entry.seq} holds no event before OrderPlaced`);
  return { ...next, last_seq: entry.seq, updated_at: entry.at };
}

function placedRow(event: Extract<OrderEvent, { type: 'OrderPlaced' }>): OrderRow {
  return {
    id: event.orderId,
    checkout_id: event.checkoutId,
    buyer_id: event.buyerId,
    seller_id: event.sellerId,
    status: 'PLACED',
    saga: 'placing',
    currency: 'USD',
    total_minor: 0,
    fee_minor: 0,
    platform_fee_bps: event.platformFeeBps,
    released_minor: null,
    refunded_minor: null,
    placed_at: event.at,
    priced_at: null,
    paid_at: null,
    shipped_at: null,
    delivered_at: null,
    completed_at: null,
    cancelled_at: null,
    failed_at: null,
    confirmed_at: null,
    ship_by_at: null,
    carrier: null,
    tracking_number: null,
    ship_to: event.shipTo ?? null,
    release_due_at: null,
    release_reason: null,
    cancel_reason: null,
    dispute_reason: null,
    disputed_at: null,
    dispute_resolution: null,
    dispute_resolved_by: null,
    dispute_resolved_at: null,
    failure_code: null,
    failure_message: null,
    last_seq: 0,
    updated_at: event.at,
  };
}

function applyOrderEvent(row: OrderRow, event: Exclude<OrderEvent, { type: 'OrderPlaced' }>, seq: number, items: OrderItemRow[]): OrderRow {
  switch (event.type) {
    case 'StepStarted':
    case 'StepSucceeded':
      return row;
    case 'TimerScheduled':
      return event.timerId === shipByTimerId ? { ...row, ship_by_at: event.dueAt } : row;
    case 'TimerCancelled':
      return event.timerId === shipByTimerId ? { ...row, ship_by_at: null } : row;
    // From here the order exists for people: its seller sees it and may ship it (order-queries.ts).
    case 'CheckoutConfirmed':
      return row.confirmed_at === null ? { ...row, confirmed_at: event.at } : row;
    case 'StepFailed':
      // As in the order's evolve: the first failure of a saga step is why the saga stopped.
      if (row.failure_code !== null || isSideStep(event.stepId)) return row;
      return { ...row, failure_code: event.code, failure_message: event.message };
    case 'OrderPriced':
      event.items.forEach((item, lineNo) => {
        items.push({
          order_id: row.id,
          line_no: lineNo,
          seller_id: row.seller_id,
          product_id: item.productId,
          title: item.title,
          qty: item.qty,
          unit_price_minor: item.unitPriceMinor,
          line_total_minor: item.qty * item.unitPriceMinor,
          seq,
        });
      });
      return { ...row, total_minor: event.totalMinor, fee_minor: event.feeMinor, priced_at: event.at };
    case 'OrderPaid':
      return { ...row, status: 'PAID', saga: null, paid_at: event.at };
    case 'OrderFailed':
      return { ...row, status: 'FAILED', saga: null, failed_at: event.at, failure_code: event.code, failure_message: event.message };
    case 'OrderShipped':
      // Orders journaled before the checkout gate existed ship without a CheckoutConfirmed; shipping proves it.
      return {
        ...row,
        status: 'SHIPPED',
        shipped_at: event.at,
        release_due_at: event.releaseDueAt,
        confirmed_at: row.confirmed_at ?? event.at,
        carrier: event.tracking?.carrier ?? null,
        tracking_number: event.tracking?.trackingNumber ?? null,
      };
    case 'DeliveryConfirmed':
      return { ...row, status: 'DELIVERED', delivered_at: event.at };
    case 'ReleaseStarted':
      return { ...row, saga: 'releasing', release_reason: event.reason };
    case 'OrderCompleted':
      return { ...row, status: 'COMPLETED', saga: null, completed_at: event.at, released_minor: event.releasedMinor, fee_minor: event.feeMinor };
    case 'CancellationStarted':
      return { ...row, saga: 'cancelling', cancel_reason: event.reason };
    case 'OrderCancelled':
      return { ...row, status: 'CANCELLED', saga: null, cancelled_at: event.at, refunded_minor: event.refundedMinor };
    case 'DisputeOpened':
      return { ...row, status: 'DISPUTED', dispute_reason: event.reason, disputed_at: event.at };
    case 'DisputeResolved':
      return { ...row, dispute_resolution: event.resolution, dispute_resolved_by: event.adminId, dispute_resolved_at: event.at };
    default:
      return assertNever(event);
  }
}
