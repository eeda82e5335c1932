/**
 * Checkout: the money path, one arrival being one whole purchase. A buyer checks out one item
 * (a client-chosen checkoutId), retries the same checkout on purpose (it must answer the same
 * orderIds: idempotency, not a second purchase), the seller ships (and retries the ship with the
 * same commandId), and the buyer confirms delivery (also retried), which releases the escrow.
 * The latency is the whole flow's, six requests, from its scheduled start.
 */
import type { CheckoutDto } from '../../../gateway/api-types.ts';
import type { TaskOutcome } from '../arrivals.ts';
import { call } from '../api-client.ts';
import type { Account } from '../market.ts';
import { noExtra, pick, type ScenarioWorker, type WorkerFixture } from './scenario.ts';

type OrderAnswer = { readonly orderId: string; readonly status: string | null };

/** Sends an order command twice with one commandId: both must succeed and agree on the status. */
async function orderCommandTwice(fixture: WorkerFixture, account: Account, orderId: string, action: string, commandId: string, expected: readonly string[]): Promise<TaskOutcome> {
  const path = `/api/orders/${orderId}/${action}`;
  const first = await call<OrderAnswer>(fixture.baseUrl, 'POST', path, { token: account.token, body: { commandId } });
  if (!first.ok) return first;
  const retry = await call<OrderAnswer>(fixture.baseUrl, 'POST', path, { token: account.token, body: { commandId } });
  if (!retry.ok) return { ok: false, code: `retry_${retry.code}` };
  if (!expected.includes(first.body.status ?? '')) return { ok: false, code: `check_${action}_status` };
  return { ok: true };
}

export function checkoutWorker(fixture: WorkerFixture): ScenarioWorker {
  const { buyers, sellers } = fixture.market;
  if (buyers.length === 0 || sellers.length === 0) throw new Error('checkout needs buyers and sellers');
  return {
    async task(index, _scheduledMs, stepIndex) {
      const buyer = pick(buyers, index);
      const seller = pick(sellers, Math.floor(index / buyers.length) + index);
      const checkoutId = `${fixture.idPrefix}-s${stepIndex}-${index}`;
      const body = { checkoutId, items: [{ productId: pick(seller.productIds, index), qty: 1 }] };
      const placed = await call<CheckoutDto>(fixture.baseUrl, 'POST', '/api/checkout', { token: buyer.token, body });
      if (!placed.ok) return placed;
      const retried = await call<CheckoutDto>(fixture.baseUrl, 'POST', '/api/checkout', { token: buyer.token, body });
      if (!retried.ok) return { ok: false, code: `retry_${retried.code}` };
      if (retried.body.orderIds.join(',') !== placed.body.orderIds.join(',')) return { ok: false, code: 'check_retry_same_orders' };
      const orderId = placed.body.orderIds[0];
      if (orderId === undefined || placed.body.orderIds.length !== 1) return { ok: false, code: 'check_one_order' };
      const shipped = await orderCommandTwice(fixture, seller, orderId, 'ship', `${checkoutId}-ship`, ['SHIPPED']);
      if (!shipped.ok) return shipped;
      return orderCommandTwice(fixture, buyer, orderId, 'confirm-delivery', `${checkoutId}-confirm`, ['DELIVERED', 'COMPLETED']);
    },
    afterStep: async () => noExtra,
    close: async () => noExtra,
  };
}
