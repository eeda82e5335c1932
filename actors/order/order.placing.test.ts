/**
 * Placing an order: reserve stock, debit the buyer, credit the seller's pending funds, then PAID;
 * the failures on the way and their compensation; and the checkout gate.
 */
import { describe, expect, it } from 'vitest';
import {
  adminCancellingUnconfirmed,
  cancelledBySeller,
  checkoutConfirmed,
  closed,
  cmd,
  day,
  debited,
  decider,
  ev,
  failedForStock,
  feeMinor,
  fences,
  given,
  legacyPaidReporting,
  noFunds,
  notPaid,
  outOfStock,
  paid,
  paidEvents,
  paidReporting,
  placing,
  pricedItems,
  reserved,
  sellerCancelling,
  shippedEvents,
  stateOf,
  stockReserved,
  t0,
  t1,
  t2,
  totalMinor,
} from './order.fixtures.ts';

describe('placing: reserve_stock → debit_buyer → credit_seller → PAID', () => {
  it('prices the order from the seller’s reservation and debits the buyer', () => {
    const history = given(...placing)
      .when(cmd.ok('reserve_stock', [stockReserved]))
      .then(ev.succeeded('reserve_stock'), ev.priced(), ev.started('debit_buyer'));
    expect(stateOf(history)).toMatchObject({ items: pricedItems, totalMinor, feeMinor, status: 'PLACED' });
  });

  it('credits the seller’s pending funds after the debit', () => {
    given(...reserved).when(cmd.ok('debit_buyer')).then(ev.succeeded('debit_buyer'), ev.started('credit_seller'));
  });

  it('is PAID once the seller is credited: schedules the ship-by timer and tells the checkout, nothing else', () => {
    const history = given(...debited).when(cmd.ok('credit_seller')).then(...paidEvents);
    expect(stateOf(history)).toMatchObject({ status: 'PAID', saga: null, paidAt: t0 });
    expect(stateOf(history).timers['ship-by']).toEqual({ dueAt: t0 + 3 * day, command: { type: 'ExpireShipBy', timerId: 'ship-by' } });
  });

  it('cancels the retry timer when its report to the checkout is done, the last step pending', () => {
    given(...paidReporting).when(cmd.ok('notify_checkout')).then(ev.succeeded('notify_checkout'), ev.timerCancelled('retry-1'));
    expect(Object.keys(stateOf(paid).timers)).toEqual(['ship-by']);
  });

  it('rounds the fee down, exactly even when total × rate passes 2^53', () => {
    const dear = { ...stockReserved, items: [{ productId: 'gold', title: 'Gold', qty: 1, unitPriceMinor: 2 ** 52 + 1 }] };
    const history = given(...placing).when(cmd.ok('reserve_stock', [{ type: 'Unrelated' }, dear])).then(
      ev.succeeded('reserve_stock'),
      { type: 'OrderPriced', items: dear.items, totalMinor: 2 ** 52 + 1, feeMinor: Number(((2n ** 52n + 1n) * 250n) / 10_000n), at: t0 },
      { type: 'StepStarted', stepId: 'debit_buyer', target: 'wallet:b1', command: { type: 'DebitForOrder', orderId: 'o1', amountMinor: 2 ** 52 + 1 }, at: t0 },
    );
    expect(stateOf(history).feeMinor).toBe(112_589_990_684_262);
  });

  it('treats a successful reservation without its StockReserved event as a bug, leaving the step pending', () => {
    const state = stateOf(placing);
    expect(() => decider.decide(state, cmd.ok('reserve_stock', []), t0)).toThrow(/without its StockReserved/);
    const otherOrder = { ...stockReserved, orderId: 'o2' };
    expect(() => decider.decide(state, cmd.ok('reserve_stock', [otherOrder]), t0)).toThrow(/without its StockReserved/);
  });
});

describe('placing failures and their compensation', () => {
  it('undoes a refused reservation too, because a retried attempt may have reserved after all', () => {
    const failed = failedForStock();
    expect(stateOf(failed)).toMatchObject({ status: 'FAILED', saga: null, failure: { code: 'out_of_stock', message: outOfStock } });
    given(...failed).when(cmd.ok('notify_checkout')).then(ev.succeeded('notify_checkout'), ev.timerCancelled('retry-1'));
  });

  it('refunds (if it was debited after all) and gives the stock back when the buyer cannot pay, then fails', () => {
    const refunding = given(...reserved)
      .when(cmd.fail('debit_buyer', 'insufficient_funds', noFunds))
      .then(ev.failed('debit_buyer', 'insufficient_funds', noFunds), ev.started('refund_buyer'));
    expect(stateOf(refunding)).toMatchObject({ status: 'PLACED', saga: 'placing', failure: { code: 'insufficient_funds' } });
    const releasing = given(...refunding)
      .when(cmd.ok('refund_buyer', [fences.refund_buyer]))
      .then(ev.succeeded('refund_buyer'), ev.started('release_stock'));
    const failed = given(...releasing)
      .when(cmd.ok('release_stock', [fences.release_stock]))
      .then(
        ev.succeeded('release_stock'),
        { type: 'OrderFailed', code: 'insufficient_funds', message: noFunds, at: t0 },
        ev.notifying('FAILED', 'insufficient_funds', noFunds),
      );
    expect(stateOf(failed).status).toBe('FAILED');
    // A duplicated debit that succeeded after the refusal is refunded by the same step.
    given(...refunding).when(cmd.ok('refund_buyer')).then(ev.succeeded('refund_buyer'), ev.started('release_stock'));
  });

  it('voids, refunds and gives the stock back when the seller cannot be credited', () => {
    const overflow = 'Adding 3006 cents would take the wallet past its largest safe amount.';
    const voiding = given(...debited)
      .when(cmd.fail('credit_seller', 'balance_overflow', overflow))
      .then(ev.failed('credit_seller', 'balance_overflow', overflow), ev.started('void_pending'));
    const refunding = given(...voiding)
      .when(cmd.ok('void_pending', [fences.void_pending]))
      .then(ev.succeeded('void_pending'), ev.started('refund_buyer'));
    const releasing = given(...refunding).when(cmd.ok('refund_buyer')).then(ev.succeeded('refund_buyer'), ev.started('release_stock'));
    given(...releasing)
      .when(cmd.ok('release_stock'))
      .then(
        ev.succeeded('release_stock'),
        { type: 'OrderFailed', code: 'balance_overflow', message: overflow, at: t0 },
        ev.notifying('FAILED', 'balance_overflow', overflow),
      );
  });

  it('stops when an undo step is refused, for an operator', () => {
    const refunding = [...reserved, ev.failed('debit_buyer', 'insufficient_funds', noFunds), ev.started('refund_buyer')];
    given(...refunding)
      .when(cmd.fail('refund_buyer', 'balance_overflow', 'Too much.'))
      .then(ev.failed('refund_buyer', 'balance_overflow', 'Too much.'), ev.timerCancelled('retry-1'));
  });

  it('no longer takes the old "nothing to undo" answers as done: only a fence proves the step cannot happen later', () => {
    const refunding = [...reserved, ev.failed('debit_buyer', 'insufficient_funds', noFunds), ev.started('refund_buyer')];
    given(...refunding)
      .when(cmd.fail('refund_buyer', 'unknown_order', notPaid))
      .then(ev.failed('refund_buyer', 'unknown_order', notPaid), ev.timerCancelled('retry-1'));
    const releasing = [...placing, ev.failed('reserve_stock', 'out_of_stock', outOfStock), ev.started('release_stock')];
    given(...releasing)
      .when(cmd.fail('release_stock', 'unknown_reservation', 'Order o1 has no stock reserved here.'))
      .then(ev.failed('release_stock', 'unknown_reservation', 'Order o1 has no stock reserved here.'), ev.timerCancelled('retry-1'));
    given(...reserved).when(cmd.fail('debit_buyer', 'unknown_order', 'Unknown.')).then(ev.failed('debit_buyer', 'unknown_order', 'Unknown.'), ev.started('refund_buyer'));
  });

  it('ignores the order_closed answer of a late attempt of a step already undone', () => {
    const refunding = [...reserved, ev.failed('debit_buyer', 'insufficient_funds', noFunds), ev.started('refund_buyer')];
    // While the undo still runs, and after it fenced the wallet.
    given(...refunding).when(cmd.fail('debit_buyer', 'order_closed', closed)).then();
    const releasing = [...refunding, ev.succeeded('refund_buyer'), ev.started('release_stock')];
    given(...releasing).when(cmd.fail('debit_buyer', 'order_closed', closed)).then();
    // After the order failed: the late reservation was refused by the seller's fence.
    const failed = failedForStock();
    given(...failed).when(cmd.fail('reserve_stock', 'order_closed', "Order o1's stock was given back before it was reserved, so the order is closed here."), t1).then();
    expect(decider.process?.effects(stateOf(failed)).map((effect) => effect.stepId)).toEqual(['notify_checkout']);
  });
});

describe('ConfirmCheckout (the checkout gate)', () => {
  it('lifts the gate of a paid order once its checkout completed, once', () => {
    // Its report to the checkout is done already (its own answer came first): only the confirmation.
    const history = given(...paid).when(cmd.confirmCheckout(), t1).then({ type: 'CheckoutConfirmed', at: t1 });
    expect(stateOf(history)).toMatchObject({ status: 'PAID', checkoutConfirmed: true });
    expect(stateOf(paid).checkoutConfirmed).toBe(false);
    given(...history).when(cmd.confirmCheckout(), t2).then();
  });

  it('finishes the report to the checkout that is still pending: the checkout confirms only orders whose report it took', () => {
    // Nothing else is pending, so the retry timer goes too, and the ship-by timer, counted from payment, stays.
    const history = given(...paidReporting)
      .when(cmd.confirmCheckout())
      .then(checkoutConfirmed, ev.succeeded('notify_checkout'), ev.timerCancelled('retry-1'));
    const state = stateOf(history);
    expect(state).toMatchObject({ status: 'PAID', checkoutConfirmed: true, failure: null });
    expect(state.steps['notify_checkout']?.status).toBe('DONE');
    expect(Object.keys(state.timers)).toEqual(['ship-by']);
    expect(state.timers['ship-by']?.dueAt).toBe(t0 + 3 * day);
    expect(decider.process?.effects(state)).toEqual([]);
    // The report's own answer comes after that and finds nothing pending, whatever it says.
    given(...history).when(cmd.ok('notify_checkout'), t1).then();
    given(...history).when(cmd.fail('notify_checkout', 'unknown_checkout', 'There is no such checkout.'), t1).then();
    // A repeated confirmation is a no-op as before.
    given(...history).when(cmd.confirmCheckout(), t1).then();
  });

  it('lifts its gate when the answer to its report says the checkout completed, its checkout sending no confirmation', () => {
    const completion = [{ type: 'CheckoutOrderSettled', orderId: 'o1', outcome: 'PAID' }, { type: 'CheckoutCompleted', at: t0 }];
    const history = given(...paidReporting)
      .when(cmd.ok('notify_checkout', completion))
      .then(ev.succeeded('notify_checkout'), checkoutConfirmed, ev.timerCancelled('retry-1'));
    expect(stateOf(history)).toMatchObject({ status: 'PAID', checkoutConfirmed: true });
    expect(decider.process?.effects(stateOf(history))).toEqual([]);
    // A ConfirmCheckout that comes anyway (from a checkout journaled before) is a no-op.
    given(...history).when(cmd.confirmCheckout(), t1).then();
    // An answer without the completion (other orders of the checkout still paying) leaves the gate shut.
    given(...paidReporting).when(cmd.ok('notify_checkout', completion.slice(0, 1))).then(ev.succeeded('notify_checkout'), ev.timerCancelled('retry-1'));
  });

  it('keeps the retry timer when a legacy stat step is still pending beside the report', () => {
    const history = given(...legacyPaidReporting).when(cmd.confirmCheckout()).then(checkoutConfirmed, ev.succeeded('notify_checkout'));
    expect(decider.process?.effects(stateOf(history)).map((effect) => effect.stepId)).toEqual(['stat_placed']);
    expect(Object.keys(stateOf(history).timers)).toEqual(['retry-1', 'ship-by']);
    given(...history).when(cmd.ok('stat_placed'), t1).then(ev.succeeded('stat_placed', t1), ev.timerCancelled('retry-1'));
  });

  it('is a no-op for an order cancelled, being cancelled or failed, or past the gate already', () => {
    given(...adminCancellingUnconfirmed()).when(cmd.confirmCheckout(), t1).then();
    given(...sellerCancelling()).when(cmd.confirmCheckout(), t1).then();
    given(...cancelledBySeller()).when(cmd.confirmCheckout(), t1).then();
    given(...failedForStock()).when(cmd.confirmCheckout()).then();
    // Shipped before the gate existed: there is nothing left to lift.
    given(...paid, ...shippedEvents).when(cmd.confirmCheckout(), t1).then();
  });

  it('refuses an order never placed, still being placed, or of another checkout', () => {
    given().when(cmd.confirmCheckout()).thenRejects('unknown_order');
    given(...placing).when(cmd.confirmCheckout()).thenRejects('invalid_transition');
    given(...paid).when(cmd.confirmCheckout('c2'), t1).thenRejects('not_your_order');
  });
});
