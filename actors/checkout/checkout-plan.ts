/**
 * How a cart becomes orders: validate the lines, merge repeated products, and plan one order
 * per seller. Deterministic, so a retried StartCheckout plans exactly the same orders.
 */
import { reject, type Rejected } from '../decider.ts';
import type { RequestedItem } from '../seller/seller-messages.ts';
import { cartLimits } from './cart-limits.ts';
import type { ShipToAddress } from '../order/ship-to.ts';
import type { CartLine, CheckoutRejection, PlannedOrder } from './checkout-messages.ts';


type CheckoutRejected = Rejected<CheckoutRejection>;

export function planOrders(checkoutId: string, lines: readonly CartLine[]): PlannedOrder[] | CheckoutRejected {
  if (lines.length === 0) return reject('empty_cart', 'The cart is empty.');
  if (lines.length > cartLimits.linesMax) {
    return reject('too_many_lines', `A cart may have at most ${cartLimits.linesMax} lines, not ${lines.length}.`);
  }
  const bySeller = new Map<string, Map<string, number>>();
  for (const { sellerId, productId, qty } of lines) {
    const problem = checkQuantity(productId, qty);
    if (problem) return problem;
    const products = bySeller.get(sellerId) ?? new Map<string, number>();
    const merged = (products.get(productId) ?? 0) + qty;
    const mergedProblem = checkQuantity(productId, merged);
    if (mergedProblem) return mergedProblem;
    bySeller.set(sellerId, products.set(productId, merged));
  }
  // Sorted sellers and products, so the same cart in another line order plans the same orders.
  const sellerIds = [...bySeller.keys()].sort(compare);
  return sellerIds.map((sellerId, index) => {
    const products = bySeller.get(sellerId) ?? new Map<string, number>();
    const items: RequestedItem[] = [...products.keys()].sort(compare).map((productId) => ({ productId, qty: products.get(productId) ?? 0 }));
    return { orderId: `${checkoutId}-${index + 1}`, sellerId, items };
  });
}

function checkQuantity(productId: string, qty: number): CheckoutRejected | undefined {
  if (Number.isSafeInteger(qty) && qty > 0 && qty <= cartLimits.qtyMax) return undefined;
  return reject('invalid_quantity', `The quantity of ${productId} must be a whole number from 1 to ${cartLimits.qtyMax}, not ${qty}.`);
}

/** Code-unit order, not locale order: the plan must not depend on the machine's locale. */
function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

export function samePlan(left: readonly PlannedOrder[], right: readonly PlannedOrder[]): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/**
 * A short, stable fingerprint of who checks out what. It is part of StartCheckout's command id,
 * so a retry of the same cart is deduplicated by the journal, while a different cart or another
 * buyer reusing the checkoutId reaches `decide` and is refused as `checkout_exists` (instead of
 * being handed the first checkout's result).
 */
export function cartFingerprint(checkoutId: string, buyerId: string, lines: readonly CartLine[], shipTo?: ShipToAddress): string {
  const plan = planOrders(checkoutId, lines);
  // The address joins the fingerprint only when given, so a checkout without one keeps the id it always had.
  const canonical = JSON.stringify(shipTo === undefined ? [buyerId, Array.isArray(plan) ? plan : lines] : [buyerId, Array.isArray(plan) ? plan : lines, shipToFields(shipTo)]);
  let hash = 0x811c9dc5;
  let hash2 = 0x01000193;
  for (let index = 0; index < canonical.length; index += 1) {
    const code = canonical.charCodeAt(index);
    hash = Math.imul(hash ^ code, 0x01000193);
    hash2 = Math.imul(hash2 ^ code, 0x5bd1e995);
  }
  return `${(hash >>> 0).toString(36)}${(hash2 >>> 0).toString(36)}`;
}

/** The address as a fixed-order tuple, so the fingerprint does not depend on key order. */
function shipToFields(shipTo: ShipToAddress): (string | null)[] {
  return [shipTo.name, shipTo.line1, shipTo.line2, shipTo.city, shipTo.postalCode, shipTo.countryCode];
}
