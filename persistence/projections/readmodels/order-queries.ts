/**
 * Order reads from the `orders` and `order_items` read models, with the seller's display name
 * and a status timeline built from the lifecycle timestamps.
 */
import type { Db, Row } from '../../adapters/db.ts';
import { distinctIds } from '../../adapters/id-list.ts';
import type { OrderDto, OrderItemDto, OrderStatus, Page, ShipToDto, TimelineStepDto } from '../views.ts';
import { orderNumber } from '../../../actors/order/order-number.ts';
import { numberOrNull, textOrNull, totalOf } from './rows.ts';


const orderColumns = `o.*, coalesce(s.name, '') AS seller_name, coalesce(u.display_name, '') AS buyer_name`;
const orderFrom = 'orders o LEFT JOIN seller_stats s ON s.seller_id = o.seller_id LEFT JOIN users u ON u.id = o.buyer_id';

const timelineColumns: readonly [TimelineStepDto['status'], string][] = [
  ['PLACED', 'placed_at'],
  ['PAID', 'paid_at'],
  ['CHECKOUT_CONFIRMED', 'confirmed_at'],
  ['SHIPPED', 'shipped_at'],
  ['DELIVERED', 'delivered_at'],
  ['DISPUTED', 'disputed_at'],
  ['DISPUTE_RESOLVED', 'dispute_resolved_at'],
  ['COMPLETED', 'completed_at'],
  ['CANCELLED', 'cancelled_at'],
  ['FAILED', 'failed_at'],
];

function timeline(row: Row): TimelineStepDto[] {
  const steps: TimelineStepDto[] = [];
  for (const [status, column] of timelineColumns) {
    const at = numberOrNull(row[column]);
    if (at !== null) steps.push({ status, at });
  }
  return steps.sort((left, right) => left.at - right.at);
}

/**
 * The checkout saga's key is the client's checkout id scoped by its buyer, so one buyer can never
 * address another's checkout. The wire carries only the client's id: one id for one checkout.
 */
export function scopedCheckoutId(buyerId: string, checkoutId: string): string {
  return `${buyerId}_${checkoutId}`;
}

function wireCheckoutId(row: Row): string {
  const scoped = String(row['checkout_id']);
  const prefix = `${String(row['buyer_id'])}_`;
  return scoped.startsWith(prefix) ? scoped.slice(prefix.length) : scoped;
}

function toOrder(row: Row, items: readonly OrderItemDto[]): OrderDto {
  const id = String(row['id']);
  return {
    id,
    number: orderNumber(id),
    checkoutId: wireCheckoutId(row),
    buyerId: String(row['buyer_id']),
    sellerId: String(row['seller_id']),
    sellerName: String(row['seller_name']),
    buyerName: String(row['buyer_name'] ?? ''),
    confirmedAt: numberOrNull(row['confirmed_at']),
    paidAt: numberOrNull(row['paid_at']),
    shippedAt: numberOrNull(row['shipped_at']),
    tracking: textOrNull(row['tracking_number']) === null ? null : { carrier: String(row['carrier'] ?? ''), trackingNumber: String(row['tracking_number']) },
    shipTo: shipToOf(row['ship_to']),
    shipByAt: row['status'] === 'PAID' ? numberOrNull(row['ship_by_at']) : null,
    status: row['status'] as OrderStatus,
    currency: 'USD',
    totalMinor: Number(row['total_minor']),
    feeMinor: Number(row['fee_minor']),
    releasedMinor: numberOrNull(row['released_minor']),
    refundedMinor: numberOrNull(row['refunded_minor']),
    placedAt: Number(row['placed_at']),
    releaseDueAt: numberOrNull(row['release_due_at']),
    cancelReason: textOrNull(row['cancel_reason']),
    disputeReason: textOrNull(row['dispute_reason']),
    disputeResolution: textOrNull(row['dispute_resolution']) as OrderDto['disputeResolution'],
    failureCode: textOrNull(row['failure_code']),
    items,
    timeline: timeline(row),
  };
}

/** The jsonb column as the DTO, field by field, so a stray key in the journal never reaches the wire. */
function shipToOf(value: unknown): ShipToDto | null {
  if (value === null || value === undefined || typeof value !== 'object') return null;
  const address = value as Record<string, unknown>;
  return {
    name: String(address['name'] ?? ''),
    line1: String(address['line1'] ?? ''),
    line2: textOrNull(address['line2']),
    city: String(address['city'] ?? ''),
    postalCode: String(address['postalCode'] ?? ''),
    countryCode: String(address['countryCode'] ?? ''),
  };
}

async function itemsOf(db: Db, orderIds: readonly string[]): Promise<Map<string, OrderItemDto[]>> {
  const byOrder = new Map<string, OrderItemDto[]>();
  if (orderIds.length === 0) return byOrder;
  const rows = await db.query(
    // The product's first image, while the product exists, is the line's thumbnail. Each order's
    // lines and each line's product are probed by key (id-list.ts says why).
    `SELECT i.order_id, i.product_id, i.title, i.qty, i.unit_price_minor, i.line_total_minor, p.image_url
     FROM ${distinctIds()}
     CROSS JOIN LATERAL (SELECT * FROM order_items WHERE order_items.order_id = k.id OFFSET 0) i
     LEFT JOIN LATERAL (
       SELECT images->>0 AS image_url FROM products WHERE products.seller_id = i.seller_id AND products.product_id = i.product_id OFFSET 0
     ) p ON true
     ORDER BY i.order_id, i.line_no`,
    [orderIds],
  );
  for (const row of rows) {
    const list = byOrder.get(String(row['order_id'])) ?? [];
    list.push({
      productId: String(row['product_id']),
      title: String(row['title']),
      qty: Number(row['qty']),
      unitPriceMinor: Number(row['unit_price_minor']),
      lineTotalMinor: Number(row['line_total_minor']),
      imageUrl: textOrNull(row['image_url']),
    });
    byOrder.set(String(row['order_id']), list);
  }
  return byOrder;
}

export async function findOrder(db: Db, orderId: string): Promise<OrderDto | null> {
  const rows = await db.query(`SELECT ${orderColumns} FROM ${orderFrom} WHERE o.id = $1`, [orderId]);
  const row = rows[0];
  if (row === undefined) return null;
  const items = await itemsOf(db, [orderId]);
  return toOrder(row, items.get(orderId) ?? []);
}

export interface OrderListQuery {
  readonly side: 'buyer' | 'seller' | 'any';
  readonly userId: string | null;
  readonly status?: OrderStatus | undefined;
  /** Order ids to keep (a search by order number resolves to ids first). */
  readonly ids?: readonly string[] | undefined;
  readonly page: number;
  readonly pageSize: number;
}

export async function listOrders(db: Db, query: OrderListQuery): Promise<Page<OrderDto>> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (query.userId !== null) {
    params.push(query.userId);
    // A seller sees an order once its checkout confirmed it (it may act on it); nobody but an
    // operator sees the orders of a refused checkout, which were all compensated.
    const asSeller = `(o.seller_id = $1 AND o.confirmed_at IS NOT NULL)`;
    conditions.push(query.side === 'buyer' ? 'o.buyer_id = $1' : query.side === 'seller' ? asSeller : `(o.buyer_id = $1 OR ${asSeller})`);
    conditions.push(`o.status <> 'FAILED' AND o.cancel_reason IS DISTINCT FROM 'checkout_failed'`);
  }
  // An order exists for people only once its checkout confirmed it (issue #15 §1): a refused
  // checkout's orders stay visible to operators (userId null) and in the journal, nowhere else.
  if (query.userId !== null) conditions.push('o.confirmed_at IS NOT NULL');
  if (query.ids !== undefined) {
    params.push(query.ids);
    conditions.push(`o.id = ANY($${params.length}::text[])`);
  }
  if (query.status !== undefined) {
    params.push(query.status);
    conditions.push(`o.status = $${params.length}`);
  }
  const where = conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
  const counted = await db.query(`SELECT count(*) AS total FROM orders o WHERE ${where}`, params);
  params.push(query.pageSize, (query.page - 1) * query.pageSize);
  const rows = await db.query(
    `SELECT ${orderColumns} FROM ${orderFrom} WHERE ${where} ORDER BY o.placed_at DESC, o.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const items = await itemsOf(db, rows.map((row) => String(row['id'])));
  return {
    items: rows.map((row) => toOrder(row, items.get(String(row['id'])) ?? [])),
    page: query.page,
    pageSize: query.pageSize,
    total: totalOf(counted),
  };
}

/** Who an order concerns and how to reach them: what notifications and mails are addressed by. */
export interface OrderParties {
  readonly buyerId: string;
  readonly sellerId: string;
  readonly totalMinor: number;
  readonly itemCount: number;
  readonly buyerEmail: string | null;
  /** The seller's account address, else the address of its seller profile. */
  readonly sellerEmail: string | null;
  readonly sellerName: string;
  /** The checkout confirmed the order; before that it does not exist for people (issue #15 §1). */
  readonly confirmed: boolean;
}

/**
 * The parties of the given orders, read after the read-model consumer wrote them. Addresses
 * come from `users`; a seller without an account (tests, the seed) falls back to its profile.
 * Each order, buyer and seller is probed by its key (id-list.ts): the mail and notification
 * consumers run this every round.
 */
export async function orderParties(db: Db, orderIds: readonly string[]): Promise<Map<string, OrderParties>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db.query(
    `SELECT o.id, o.buyer_id, o.seller_id, o.total_minor, o.confirmed_at, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count,
       b.email AS buyer_email, coalesce(su.email, s.email) AS seller_email, coalesce(s.name, su.display_name, '') AS seller_name
     FROM ${distinctIds()}
     CROSS JOIN LATERAL (SELECT * FROM orders WHERE orders.id = k.id OFFSET 0) o
     LEFT JOIN LATERAL (SELECT email FROM users WHERE users.id = o.buyer_id OFFSET 0) b ON true
     LEFT JOIN LATERAL (SELECT email, display_name FROM users WHERE users.id = o.seller_id OFFSET 0) su ON true
     LEFT JOIN LATERAL (SELECT email, name FROM seller_stats WHERE seller_stats.seller_id = o.seller_id OFFSET 0) s ON true`,
    [orderIds],
  );
  const address = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return new Map(
    rows.map((row) => [
      String(row['id']),
      {
        buyerId: String(row['buyer_id']),
        sellerId: String(row['seller_id']),
        totalMinor: Number(row['total_minor']),
        itemCount: Number(row['item_count']),
        buyerEmail: address(row['buyer_email']),
        sellerEmail: address(row['seller_email']),
        sellerName: String(row['seller_name']),
        confirmed: row['confirmed_at'] !== null && row['confirmed_at'] !== undefined,
      },
    ]),
  );
}
