import { describe, expect, it } from 'vitest';
import type { OrderEvent } from './order-messages.ts';
import { commandId, createOrderDecider, evolve, initialState } from './order.ts';
import {
  checkoutConfirmed,
  cmd,
  day,
  debited,
  decider,
  ev,
  feeMinor,
  fences,
  given,
  paid,
  paidConfirmed,
  paidEvents,
  paidReporting,
  people,
  placing,
  policy,
  pricedItems,
  reserved,
  retryMs,
  sends,
  shipped,
  shippedEvents,
  stateOf,
  stockReserved,
  t0,
  t1,
  totalMinor,
} from './order.fixtures.ts';

const t2 = t1 + 2 * day;
const t3 = t2 + day;
const outOfStock = 'Product mug ("Mug") has 1 in stock, not 2.';
const noFunds = 'The wallet has 100 cents available, not enough to pay order o1 (3006 cents).';

const shippedFact = (at: number): OrderEvent => ({ type: 'OrderShipped', at, releaseDueAt: at + 7 * day });

describe('the order decider', () => {
  it('is the order kind at state version 2 (with checkoutConfirmed), with a process manager', () => {
    expect(decider.kind).toBe('order');
    expect(decider.stateVersion).toBe(2);
    expect(initialState.checkoutConfirmed).toBe(false);
    expect(decider.initialState).toBe(initialState);
    expect(initialState.status).toBe('NEW');
    const outcome = { ok: true as const, events: [] };
    expect(decider.process?.stepCompleted('debit_buyer', outcome)).toEqual({ type: 'StepCompleted', stepId: 'debit_buyer', outcome });
  });

  it.each<[Parameters<typeof commandId>[0], string]>([
    [cmd.place(), 'place'],
    [cmd.confirmCheckout(), 'checkout-confirmed'],
    [cmd.ok('debit_buyer'), 'step:debit_buyer'],
    [cmd.ship(), 'ship-1'],
    [cmd.confirm(), 'confirm-1'],
    [cmd.cancel(), 'cancel-1'],
    [cmd.dispute(), 'dispute-1'],
    [cmd.resolve('refund'), 'resolve-1'],
    [cmd.releaseEscrow(), 'timer:release-escrow'],
    [cmd.expireShipBy(), 'timer:ship-by'],
    [cmd.retrySteps(3), 'timer:retry-3'],
  ])('keys %j as %s', (command, key) => {
    expect(decider.commandId(command)).toBe(key);
  });

  it.each([
    { ...policy, platformFeeBps: -1 },
    { ...policy, platformFeeBps: 10_001 },
    { ...policy, platformFeeBps: 2.5 },
    { ...policy, releaseAfterMs: 0 },
    { ...policy, shipByMs: Number.NaN },
    { ...policy, stepRetryMs: -5 },
  ])('refuses to start with a bad policy %j', (bad) => {
    expect(() => createOrderDecider(bad)).toThrow(/order policy/);
  });
});

describe('PlaceOrder', () => {
  it('records the order with the fee rate of the moment and starts reserving stock', () => {
    const history = given().when(cmd.place()).then(ev.placed(), ev.started('reserve_stock'), ev.retry(1));
    expect(stateOf(history)).toMatchObject({ status: 'PLACED', saga: 'placing', requested: [...sendsItems()], platformFeeBps: 250, placedAt: t0 });
  });

  it('accepts the same placement again with no events, and refuses different details', () => {
    given(...placing).when(cmd.place(), t1).then();
    given(...paid).when(cmd.place(), t1).then();
    given(...placing).when(cmd.place({ buyerId: 'b2' })).thenRejected('order_exists');
    given(...placing).when(cmd.place({ checkoutId: 'c2' })).thenRejected('order_exists');
    given(...placing).when(cmd.place({ items: [{ productId: 'mug', qty: 3 }] })).thenRejected('order_exists');
  });

  it('refuses an order without items', () => {
    given().when(cmd.place({ items: [] })).thenRejected('empty_order');
  });
});

function sendsItems() {
  return [
    { productId: 'mug', qty: 2 },
    { productId: 'tea', qty: 4 },
  ];
}

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

  it('is PAID once the seller is credited: schedules the ship-by timer, tells the checkout, counts the sale', () => {
    const history = given(...debited).when(cmd.ok('credit_seller')).then(...paidEvents);
    expect(stateOf(history)).toMatchObject({ status: 'PAID', saga: null, paidAt: t0 });
    expect(stateOf(history).timers['ship-by']).toEqual({ dueAt: t0 + 3 * day, command: { type: 'ExpireShipBy', timerId: 'ship-by' } });
  });

  it('cancels the retry timer when the last report step is done', () => {
    const notified = given(...paidReporting).when(cmd.ok('notify_checkout')).then(ev.succeeded('notify_checkout'));
    given(...notified).when(cmd.ok('stat_placed')).then(ev.succeeded('stat_placed'), ev.timerCancelled('retry-1'));
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

const notPaid = 'This wallet never paid for order o1, so there is nothing to refund.';
const closed = 'Order o1 was refunded before it was paid here, so it is closed.';

/** An order whose reservation was refused: it undoes the reservation anyway (a fence), then fails. */
function failedForStock(): OrderEvent[] {
  const undoing = given(...placing)
    .when(cmd.fail('reserve_stock', 'out_of_stock', outOfStock))
    .then(ev.failed('reserve_stock', 'out_of_stock', outOfStock), ev.started('release_stock'));
  return given(...undoing)
    .when(cmd.ok('release_stock', [fences.release_stock]))
    .then(
      ev.succeeded('release_stock'),
      { type: 'OrderFailed', code: 'out_of_stock', message: outOfStock, at: t0 },
      ev.notifying('FAILED', 'out_of_stock', outOfStock),
    );
}

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

describe('StepCompleted is idempotent', () => {
  it('ignores a repeated outcome, whatever it says', () => {
    given(...reserved).when(cmd.ok('reserve_stock', [stockReserved])).then();
    given(...reserved).when(cmd.fail('reserve_stock', 'out_of_stock', outOfStock)).then();
    given(...paid).when(cmd.ok('credit_seller')).then();
  });

  it('ignores steps never started and names that are no step', () => {
    given(...placing).when(cmd.ok('debit_buyer')).then();
    given(...placing).when(cmd.ok('no_such_step')).then();
    given(...placing).when(cmd.ok('constructor')).then();
    given().when(cmd.ok('reserve_stock')).then();
  });
});

describe('ConfirmCheckout (the checkout gate)', () => {
  it('lifts the gate of a paid order once its checkout completed, once', () => {
    const history = given(...paid).when(cmd.confirmCheckout(), t1).then({ type: 'CheckoutConfirmed', at: t1 });
    expect(stateOf(history)).toMatchObject({ status: 'PAID', checkoutConfirmed: true });
    expect(stateOf(paid).checkoutConfirmed).toBe(false);
    given(...history).when(cmd.confirmCheckout(), t2).then();
    // While its report steps still run, and with its ship-by timer, counted from payment, kept.
    given(...paidReporting).when(cmd.confirmCheckout()).then(checkoutConfirmed);
    expect(stateOf([...paidReporting, checkoutConfirmed]).timers['ship-by']?.dueAt).toBe(t0 + 3 * day);
  });

  it('is a no-op for an order cancelled, being cancelled or failed, or past the gate already', () => {
    given(...sellerCancelling()).when(cmd.confirmCheckout(), t1).then();
    given(...cancelledBySeller()).when(cmd.confirmCheckout(), t1).then();
    given(...failedForStock()).when(cmd.confirmCheckout()).then();
    // Shipped before the gate existed: there is nothing left to lift.
    given(...paid, ...shippedEvents).when(cmd.confirmCheckout(), t1).then();
  });

  it('refuses an order never placed, still being placed, or of another checkout', () => {
    given().when(cmd.confirmCheckout()).thenRejected('unknown_order');
    given(...placing).when(cmd.confirmCheckout()).thenRejected('invalid_transition');
    given(...paid).when(cmd.confirmCheckout('c2'), t1).thenRejected('not_your_order');
  });
});

describe('ShipOrder', () => {
  it('ships a paid order: stops the ship-by timer and starts the escrow release clock at ship + 7 days', () => {
    const history = given(...paidConfirmed).when(cmd.ship(), t1).then(...shippedEvents);
    expect(stateOf(history)).toMatchObject({ status: 'SHIPPED', shipped: true, shippedAt: t1, releaseDueAt: t1 + 7 * day });
    expect(stateOf(history).timers['release-escrow']).toEqual({ dueAt: t1 + 7 * day, command: { type: 'ReleaseEscrow', timerId: 'release-escrow' } });
  });

  it('replaces a retry timer that has already fired when steps are still pending', () => {
    given(...paidReporting, checkoutConfirmed)
      .when(cmd.ship(), t1)
      .then(shippedFact(t1), ev.timerCancelled('ship-by'), ev.releaseTimer(), ev.stat('shipped', t1), ev.timerCancelled('retry-1'), ev.retry(9, t1));
  });

  it('is for the order’s seller only', () => {
    given(...paidConfirmed).when(cmd.ship(people.otherSeller), t1).thenRejected('not_your_order');
    given(...paidConfirmed).when(cmd.ship(people.buyer), t1).thenRejected('forbidden');
    given(...paidConfirmed).when(cmd.ship(people.admin), t1).thenRejected('forbidden');
    given(...paidConfirmed).when(cmd.ship(people.system), t1).thenRejected('forbidden');
  });

  it('waits for the checkout: a paid order its checkout has not confirmed cannot ship yet', () => {
    given(...paid).when(cmd.ship(), t1).thenRejected('awaiting_checkout');
    given(...paidReporting).when(cmd.ship(), t0).thenRejected('awaiting_checkout');
    const decision = decider.decide(stateOf(paid), cmd.ship(), t1);
    expect(decision).toEqual({ rejected: 'awaiting_checkout', message: 'Order o1 cannot be shipped yet: the rest of this checkout is still being paid.' });
  });

  it('needs a paid order with no saga running', () => {
    given().when(cmd.ship(), t1).thenRejected('unknown_order');
    given(...placing).when(cmd.ship(), t1).thenRejected('invalid_transition');
    given(...shipped).when(cmd.ship(), t2).thenRejected('invalid_transition');
    given(...sellerCancelling()).when(cmd.ship(), t1).thenRejected('invalid_transition');
    given(...disputedPaid()).when(cmd.ship(), t1).thenRejected('invalid_transition');
  });
});

// ---------------------------------------------------------------------------------------------
// Release: confirm, auto-release, dispute release.

function confirmed(): OrderEvent[] {
  return given(...shipped)
    .when(cmd.confirm(), t2)
    .then(
      { type: 'DeliveryConfirmed', at: t2 },
      ev.timerCancelled('release-escrow'),
      { type: 'ReleaseStarted', reason: 'buyer_confirmed', at: t2 },
      ev.started('release_funds', t2),
      ev.retry(13, t2),
    );
}

describe('ConfirmDelivery and the release path', () => {
  it('releases the escrow when the buyer confirms: DELIVERED while releasing, then COMPLETED', () => {
    const releasing = confirmed();
    expect(stateOf(releasing)).toMatchObject({ status: 'DELIVERED', saga: 'releasing', deliveredAt: t2, releaseReason: 'buyer_confirmed' });
    expect(stateOf(releasing).timers['release-escrow']).toBeUndefined();
    const fee = given(...releasing).when(cmd.ok('release_funds'), t2).then(ev.succeeded('release_funds', t2), ev.started('credit_fee', t2));
    const completed = given(...fee)
      .when(cmd.ok('credit_fee'), t2)
      .then(
        ev.succeeded('credit_fee', t2),
        { type: 'OrderCompleted', reason: 'buyer_confirmed', releasedMinor: totalMinor, feeMinor, at: t2 },
        ev.stat('completed', t2),
      );
    expect(stateOf(completed)).toMatchObject({ status: 'COMPLETED', saga: null, completedAt: t2 });
    given(...completed).when(cmd.ok('stat_completed'), t2).then(ev.succeeded('stat_completed', t2), ev.timerCancelled('retry-13'));
  });

  it('is for the order’s buyer only', () => {
    given(...shipped).when(cmd.confirm(people.otherBuyer), t2).thenRejected('not_your_order');
    given(...shipped).when(cmd.confirm(people.seller), t2).thenRejected('forbidden');
    given(...shipped).when(cmd.confirm(people.admin), t2).thenRejected('forbidden');
  });

  it('needs a shipped order with no saga running', () => {
    given().when(cmd.confirm(), t2).thenRejected('unknown_order');
    given(...paid).when(cmd.confirm(), t2).thenRejected('invalid_transition');
    given(...confirmed()).when(cmd.confirm(), t2).thenRejected('invalid_transition');
    given(...disputedShipped()).when(cmd.confirm(), t3).thenRejected('invalid_transition');
  });
});

describe('ReleaseEscrow (the auto-release timer)', () => {
  const dueAt = t1 + 7 * day;

  it('releases a shipped order nobody confirmed or disputed', () => {
    const releasing = given(...shipped)
      .when(cmd.releaseEscrow(), dueAt)
      .then(
        { type: 'ReleaseStarted', reason: 'auto_release', at: dueAt },
        ev.timerCancelled('release-escrow'),
        ev.started('release_funds', dueAt),
        ev.retry(13, dueAt),
      );
    expect(stateOf(releasing)).toMatchObject({ status: 'SHIPPED', saga: 'releasing' });
    const fee = given(...releasing).when(cmd.ok('release_funds'), dueAt).then(ev.succeeded('release_funds', dueAt), ev.started('credit_fee', dueAt));
    given(...fee)
      .when(cmd.ok('credit_fee'), dueAt)
      .then(
        ev.succeeded('credit_fee', dueAt),
        { type: 'OrderCompleted', reason: 'auto_release', releasedMinor: totalMinor, feeMinor, at: dueAt },
        ev.stat('completed', dueAt),
      );
    given(...releasing).when(cmd.releaseEscrow(), dueAt + 1).then();
  });

  it('is ignored unless the order is SHIPPED with no saga running', () => {
    given().when(cmd.releaseEscrow(), dueAt).then();
    given(...placing).when(cmd.releaseEscrow(), dueAt).then();
    given(...paid).when(cmd.releaseEscrow(), dueAt).then();
    given(...disputedShipped()).when(cmd.releaseEscrow(), dueAt).then();
    given(...confirmed()).when(cmd.releaseEscrow(), dueAt).then();
    given(...adminCancellingShipped()).when(cmd.releaseEscrow(), dueAt).then();
    given(...cancelledBySeller()).when(cmd.releaseEscrow(), dueAt).then();
  });
});

// ---------------------------------------------------------------------------------------------
// Cancellation: by the seller, an admin, the checkout, or the ship-by timer.

function sellerCancelling(): OrderEvent[] {
  return given(...paid)
    .when(cmd.cancel(), t1)
    .then(
      { type: 'CancellationStarted', reason: 'seller_cancelled', at: t1 },
      ev.timerCancelled('ship-by'),
      ev.started('void_pending', t1),
      ev.retry(11, t1),
    );
}

function cancelledBySeller(): OrderEvent[] {
  const refunding = given(...sellerCancelling()).when(cmd.ok('void_pending'), t1).then(ev.succeeded('void_pending', t1), ev.started('refund_buyer', t1));
  const releasing = given(...refunding).when(cmd.ok('refund_buyer'), t1).then(ev.succeeded('refund_buyer', t1), ev.started('release_stock', t1));
  return given(...releasing)
    .when(cmd.ok('release_stock'), t1)
    .then(
      ev.succeeded('release_stock', t1),
      { type: 'OrderCancelled', reason: 'seller_cancelled', refundedMinor: totalMinor, at: t1 },
      ev.stat('cancelled', t1),
    );
}

function adminCancellingShipped(): OrderEvent[] {
  return given(...shipped)
    .when(cmd.cancel(people.admin, 'admin_cancelled'), t2)
    .then(
      { type: 'CancellationStarted', reason: 'admin_cancelled', at: t2 },
      ev.timerCancelled('release-escrow'),
      ev.started('void_pending', t2),
      ev.retry(13, t2),
    );
}

describe('CancelOrder', () => {
  it('lets the seller cancel before shipping: void the pending funds, refund the buyer, give the stock back', () => {
    expect(stateOf(sellerCancelling())).toMatchObject({ status: 'PAID', saga: 'cancelling', cancelReason: 'seller_cancelled' });
    const cancelled = cancelledBySeller();
    expect(stateOf(cancelled)).toMatchObject({ status: 'CANCELLED', saga: null, cancelledAt: t1 });
    given(...cancelled).when(cmd.ok('stat_cancelled'), t1).then(ev.succeeded('stat_cancelled', t1), ev.timerCancelled('retry-11'));
  });

  it('lets an admin refund a shipped order, without giving back stock that has left', () => {
    const refunding = given(...adminCancellingShipped())
      .when(cmd.ok('void_pending'), t2)
      .then(ev.succeeded('void_pending', t2), ev.started('refund_buyer', t2));
    given(...refunding)
      .when(cmd.ok('refund_buyer'), t2)
      .then(
        ev.succeeded('refund_buyer', t2),
        { type: 'OrderCancelled', reason: 'admin_cancelled', refundedMinor: totalMinor, at: t2 },
        ev.stat('cancelled', t2),
      );
  });

  it('lets the checkout cancel a paid order whose report steps still run', () => {
    given(...paidReporting)
      .when(cmd.cancel(people.system, 'checkout_failed'))
      .then({ type: 'CancellationStarted', reason: 'checkout_failed', at: t0 }, ev.timerCancelled('ship-by'), ev.started('void_pending'));
  });

  it('refuses the seller once shipped', () => {
    given(...shipped).when(cmd.cancel(), t2).thenRejected('invalid_transition');
  });

  it('is for the order’s seller, an admin or the system, each with its own reasons', () => {
    given(...paid).when(cmd.cancel(people.buyer, 'seller_cancelled'), t1).thenRejected('forbidden');
    given(...paid).when(cmd.cancel(people.otherSeller), t1).thenRejected('not_your_order');
    given(...paid).when(cmd.cancel(people.seller, 'admin_cancelled'), t1).thenRejected('forbidden');
    given(...paid).when(cmd.cancel(people.admin, 'checkout_failed'), t1).thenRejected('forbidden');
    given(...paid).when(cmd.cancel(people.admin, 'ship_by_expired'), t1).thenRejected('forbidden');
    given(...paid).when(cmd.cancel(people.system, 'dispute_refunded'), t1).thenRejected('forbidden');
  });

  it('needs a paid (or, for an admin, shipped) order with no saga running', () => {
    given().when(cmd.cancel(), t1).thenRejected('unknown_order');
    given(...placing).when(cmd.cancel(people.system, 'checkout_failed')).thenRejected('invalid_transition');
    given(...sellerCancelling()).when(cmd.cancel(people.admin, 'admin_cancelled'), t1).thenRejected('invalid_transition');
    given(...cancelledBySeller()).when(cmd.cancel(people.admin, 'admin_cancelled'), t1).thenRejected('invalid_transition');
    given(...disputedPaid()).when(cmd.cancel(people.admin, 'admin_cancelled'), t1).thenRejected('invalid_transition');
    given(...confirmed()).when(cmd.cancel(people.admin, 'admin_cancelled'), t2).thenRejected('invalid_transition');
    given(...failedForStock()).when(cmd.cancel(people.admin, 'admin_cancelled')).thenRejected('invalid_transition');
    given(...disputedPaid()).when(cmd.cancel(people.system, 'checkout_failed'), t1).thenRejected('invalid_transition');
  });

  it('accepts the checkout’s cancel of an order already cancelled, being cancelled or failed as a no-op', () => {
    given(...cancelledBySeller()).when(cmd.cancel(people.system, 'checkout_failed'), t1).then();
    given(...sellerCancelling()).when(cmd.cancel(people.system, 'checkout_failed'), t1).then();
    given(...failedForStock()).when(cmd.cancel(people.system, 'checkout_failed')).then();
    // Only the checkout's reason: a seller or an admin still hears that the order is past cancelling.
    given(...cancelledBySeller()).when(cmd.cancel(), t1).thenRejected('invalid_transition');
  });

  it('lets the seller, an admin or the checkout cancel a paid order its checkout has not confirmed', () => {
    for (const [by, reason] of [
      [people.seller, 'seller_cancelled'],
      [people.admin, 'admin_cancelled'],
      [people.system, 'checkout_failed'],
    ] as const) {
      given(...paid)
        .when(cmd.cancel(by, reason), t1)
        .then({ type: 'CancellationStarted', reason, at: t1 }, ev.timerCancelled('ship-by'), ev.started('void_pending', t1), ev.retry(11, t1));
    }
  });
});

describe('ExpireShipBy (the ship-by timer)', () => {
  const dueAt = t0 + 3 * day;

  it('cancels and refunds a paid order the seller did not ship in time', () => {
    const cancelling = given(...paid)
      .when(cmd.expireShipBy(), dueAt)
      .then({ type: 'CancellationStarted', reason: 'ship_by_expired', at: dueAt }, ev.timerCancelled('ship-by'), ev.started('void_pending', dueAt), ev.retry(11, dueAt));
    const refunding = given(...cancelling).when(cmd.ok('void_pending'), dueAt).then(ev.succeeded('void_pending', dueAt), ev.started('refund_buyer', dueAt));
    const releasing = given(...refunding).when(cmd.ok('refund_buyer'), dueAt).then(ev.succeeded('refund_buyer', dueAt), ev.started('release_stock', dueAt));
    given(...releasing)
      .when(cmd.ok('release_stock'), dueAt)
      .then(
        ev.succeeded('release_stock', dueAt),
        { type: 'OrderCancelled', reason: 'ship_by_expired', refundedMinor: totalMinor, at: dueAt },
        ev.stat('cancelled', dueAt),
      );
  });

  it('is ignored once shipped, disputed, cancelling, cancelled, or before payment', () => {
    given().when(cmd.expireShipBy(), dueAt).then();
    given(...placing).when(cmd.expireShipBy(), dueAt).then();
    given(...shipped).when(cmd.expireShipBy(), dueAt).then();
    given(...disputedPaid()).when(cmd.expireShipBy(), dueAt).then();
    given(...sellerCancelling()).when(cmd.expireShipBy(), dueAt).then();
    given(...cancelledBySeller()).when(cmd.expireShipBy(), dueAt).then();
  });
});

// ---------------------------------------------------------------------------------------------
// Disputes

function disputedPaid(): OrderEvent[] {
  const opened = given(...paidConfirmed)
    .when(cmd.dispute(), t1)
    .then({ type: 'DisputeOpened', reason: 'broken on arrival', at: t1 }, ev.timerCancelled('ship-by'), ev.stat('disputed', t1), ev.retry(11, t1));
  return given(...opened).when(cmd.ok('stat_disputed'), t1).then(ev.succeeded('stat_disputed', t1), ev.timerCancelled('retry-11'));
}

function disputedShipped(): OrderEvent[] {
  const opened = given(...shipped)
    .when(cmd.dispute(), t2)
    .then({ type: 'DisputeOpened', reason: 'broken on arrival', at: t2 }, ev.timerCancelled('release-escrow'), ev.stat('disputed', t2), ev.retry(13, t2));
  return given(...opened).when(cmd.ok('stat_disputed'), t2).then(ev.succeeded('stat_disputed', t2), ev.timerCancelled('retry-13'));
}

describe('OpenDispute', () => {
  it('freezes a paid order: no ship-by expiry', () => {
    const state = stateOf(disputedPaid());
    expect(state).toMatchObject({ status: 'DISPUTED', dispute: { reason: 'broken on arrival', openedAt: t1 } });
    expect(state.timers).toEqual({});
  });

  it('freezes a shipped order: the release timer is cancelled', () => {
    const state = stateOf(disputedShipped());
    expect(state).toMatchObject({ status: 'DISPUTED', shipped: true });
    expect(state.timers).toEqual({});
  });

  it('waits for the checkout: a paid order its checkout has not confirmed cannot be disputed yet', () => {
    given(...paid).when(cmd.dispute(), t1).thenRejected('awaiting_checkout');
    given(...paidReporting).when(cmd.dispute(), t0).thenRejected('awaiting_checkout');
  });

  it('is for the order’s buyer only', () => {
    given(...shipped).when(cmd.dispute(people.otherBuyer), t2).thenRejected('not_your_order');
    given(...shipped).when(cmd.dispute(people.seller), t2).thenRejected('forbidden');
    given(...shipped).when(cmd.dispute(people.admin), t2).thenRejected('forbidden');
  });

  it('needs funds that are locked and not being released or refunded', () => {
    given().when(cmd.dispute(), t2).thenRejected('unknown_order');
    given(...placing).when(cmd.dispute()).thenRejected('invalid_transition');
    given(...disputedShipped()).when(cmd.dispute(), t3).thenRejected('invalid_transition');
    given(...confirmed()).when(cmd.dispute(), t2).thenRejected('invalid_transition');
    given(...sellerCancelling()).when(cmd.dispute(), t1).thenRejected('invalid_transition');
    given(...cancelledBySeller()).when(cmd.dispute(), t1).thenRejected('invalid_transition');
  });
});

describe('ResolveDispute', () => {
  it('refunds a disputed shipped order without giving back its stock', () => {
    const refundStart = given(...disputedShipped())
      .when(cmd.resolve('refund'), t3)
      .then(
        { type: 'DisputeResolved', resolution: 'refund', adminId: 'a1', at: t3 },
        { type: 'CancellationStarted', reason: 'dispute_refunded', at: t3 },
        ev.started('void_pending', t3),
        ev.retry(15, t3),
      );
    expect(stateOf(refundStart)).toMatchObject({ status: 'DISPUTED', saga: 'cancelling' });
    const refunding = given(...refundStart).when(cmd.ok('void_pending'), t3).then(ev.succeeded('void_pending', t3), ev.started('refund_buyer', t3));
    const cancelled = given(...refunding)
      .when(cmd.ok('refund_buyer'), t3)
      .then(ev.succeeded('refund_buyer', t3), { type: 'OrderCancelled', reason: 'dispute_refunded', refundedMinor: totalMinor, at: t3 }, ev.stat('cancelled', t3));
    expect(stateOf(cancelled).status).toBe('CANCELLED');
  });

  it('refunds a disputed unshipped order and gives its stock back', () => {
    const refundStart = given(...disputedPaid())
      .when(cmd.resolve('refund'), t2)
      .then(
        { type: 'DisputeResolved', resolution: 'refund', adminId: 'a1', at: t2 },
        { type: 'CancellationStarted', reason: 'dispute_refunded', at: t2 },
        ev.started('void_pending', t2),
        ev.retry(13, t2),
      );
    const refunding = given(...refundStart).when(cmd.ok('void_pending'), t2).then(ev.succeeded('void_pending', t2), ev.started('refund_buyer', t2));
    given(...refunding).when(cmd.ok('refund_buyer'), t2).then(ev.succeeded('refund_buyer', t2), ev.started('release_stock', t2));
  });

  it('releases a disputed order to the seller', () => {
    const releaseStart = given(...disputedShipped())
      .when(cmd.resolve('release'), t3)
      .then(
        { type: 'DisputeResolved', resolution: 'release', adminId: 'a1', at: t3 },
        { type: 'ReleaseStarted', reason: 'dispute_released', at: t3 },
        ev.started('release_funds', t3),
        ev.retry(15, t3),
      );
    const fee = given(...releaseStart).when(cmd.ok('release_funds'), t3).then(ev.succeeded('release_funds', t3), ev.started('credit_fee', t3));
    const completed = given(...fee)
      .when(cmd.ok('credit_fee'), t3)
      .then(
        ev.succeeded('credit_fee', t3),
        { type: 'OrderCompleted', reason: 'dispute_released', releasedMinor: totalMinor, feeMinor, at: t3 },
        ev.stat('completed', t3),
      );
    expect(stateOf(completed).status).toBe('COMPLETED');
    given(...releaseStart).when(cmd.releaseEscrow(), t3).then();
  });

  it('is for an admin only, on an open dispute, once', () => {
    for (const by of [people.buyer, people.seller, people.system]) {
      given(...disputedShipped()).when(cmd.resolve('refund', by), t3).thenRejected('forbidden');
    }
    given().when(cmd.resolve('refund'), t3).thenRejected('unknown_order');
    given(...shipped).when(cmd.resolve('refund'), t3).thenRejected('not_disputed');
    const refundStart = given(...disputedShipped()).when(cmd.resolve('refund'), t3).then(
      { type: 'DisputeResolved', resolution: 'refund', adminId: 'a1', at: t3 },
      { type: 'CancellationStarted', reason: 'dispute_refunded', at: t3 },
      ev.started('void_pending', t3),
      ev.retry(15, t3),
    );
    given(...refundStart).when(cmd.resolve('release'), t3).thenRejected('invalid_transition');
  });
});

// ---------------------------------------------------------------------------------------------

describe('a failed step stops its path', () => {
  it('stops a refund whose void failed, recording why, with nothing left to retry', () => {
    const message = "Order o1's pending funds were released, so they cannot be voided.";
    const stuck = given(...sellerCancelling())
      .when(cmd.fail('void_pending', 'already_released', message), t1)
      .then(ev.failed('void_pending', 'already_released', message, t1), ev.timerCancelled('retry-11'));
    const state = stateOf(stuck);
    expect(state).toMatchObject({ status: 'PAID', saga: 'cancelling', failure: { code: 'already_released', message } });
    expect(decider.process?.effects(state)).toEqual([]);
  });

  it('stops a release whose payout failed', () => {
    const stuck = given(...confirmed())
      .when(cmd.fail('release_funds', 'already_voided', 'Voided.'), t2)
      .then(ev.failed('release_funds', 'already_voided', 'Voided.', t2), ev.timerCancelled('retry-13'));
    expect(stateOf(stuck)).toMatchObject({ status: 'DELIVERED', saga: 'releasing', failure: { code: 'already_voided' } });
  });

  it('lets a report step fail without failing the order', () => {
    const notified = [...paidReporting, ev.succeeded('notify_checkout')];
    const history = given(...notified)
      .when(cmd.fail('stat_placed', 'unknown_reservation', 'Unknown.'))
      .then(ev.failed('stat_placed', 'unknown_reservation', 'Unknown.'), ev.timerCancelled('retry-1'));
    expect(stateOf(history)).toMatchObject({ status: 'PAID', failure: null });
  });
});

describe('the retry wake-up timer', () => {
  it('RetrySteps records nothing when nothing is pending, or before its timer is due', () => {
    for (const history of [[], paid, shipped]) {
      given(...history).when(cmd.retrySteps(1), t0 + retryMs).then();
      given(...history).when(cmd.retrySteps(99), t3).then();
    }
    for (const history of [placing, paidReporting]) given(...history).when(cmd.retrySteps(1), t0 + retryMs - 1).then();
  });

  it('RetrySteps with steps still pending arms a fresh timer, later each time, so a long outage keeps being retried', () => {
    const firstDue = t0 + retryMs;
    const once = given(...placing).when(cmd.retrySteps(1), firstDue).then(ev.timerCancelled('retry-1'), ev.rearmed(1, 1, firstDue));
    const secondDue = firstDue + 2 * retryMs;
    // A late second delivery of the first timer finds a newer one pending.
    given(...once).when(cmd.retrySteps(1), secondDue - 1).then();
    const twice = given(...once).when(cmd.retrySteps('1.1'), secondDue).then(ev.timerCancelled('retry-1.1'), ev.rearmed(1, 2, secondDue));
    expect(Object.keys(stateOf(twice).timers)).toEqual(['retry-1.2']);
    // Progress resets the delay and the numbering.
    const later = secondDue + 4 * retryMs;
    given(...twice)
      .when(cmd.ok('reserve_stock', [stockReserved]), later)
      .then(ev.succeeded('reserve_stock', later), ev.priced(later), ev.started('debit_buyer', later), ev.timerCancelled('retry-1.2'), ev.retry(3, later));
    // Before it is due, a re-armed timer is kept by any other decision.
    given(...twice).when(cmd.fail('reserve_stock', 'out_of_stock', outOfStock), later - 1).then(
      ev.failed('reserve_stock', 'out_of_stock', outOfStock, later - 1),
      ev.started('release_stock', later - 1),
    );
  });

  it('stops doubling the re-arm delay at 64 ×', () => {
    let history: OrderEvent[] = placing;
    let due = t0 + retryMs;
    let timerId = 'retry-1';
    for (let rearms = 1; rearms <= 8; rearms += 1) {
      history = given(...history).when({ type: 'RetrySteps', timerId }, due).then(ev.timerCancelled(timerId), ev.rearmed(1, rearms, due));
      const scheduled = stateOf(history).timers[`retry-1.${rearms}`];
      expect(scheduled?.dueAt).toBe(due + retryMs * Math.min(2 ** rearms, 64));
      due = scheduled?.dueAt ?? Number.NaN;
      timerId = `retry-1.${rearms}`;
    }
  });

  it('re-arms the retry timer of a cancellation whose target is down', () => {
    const due = t1 + retryMs;
    given(...sellerCancelling()).when(cmd.retrySteps(11), due).then(ev.timerCancelled('retry-11'), ev.rearmed(11, 1, due));
  });

  it('is replaced once due, with ids that never repeat', () => {
    const minute = 60_000;
    const step1 = given(...placing)
      .when(cmd.ok('reserve_stock', [stockReserved]), t0 + minute)
      .then(ev.succeeded('reserve_stock', t0 + minute), ev.priced(t0 + minute), ev.started('debit_buyer', t0 + minute), ev.timerCancelled('retry-1'), ev.retry(3, t0 + minute));
    const step2 = given(...step1)
      .when(cmd.ok('debit_buyer'), t0 + 2 * minute)
      .then(ev.succeeded('debit_buyer', t0 + 2 * minute), ev.started('credit_seller', t0 + 2 * minute), ev.timerCancelled('retry-3'), ev.retry(5, t0 + 2 * minute));
    const step3 = given(...step2).when(cmd.ok('credit_seller'), t0 + 2 * minute + 1).then(
      ev.succeeded('credit_seller', t0 + 2 * minute + 1),
      { type: 'OrderPaid', at: t0 + 2 * minute + 1 },
      ev.shipBy(t0 + 2 * minute + 1),
      ev.notifying('PAID', null, null, t0 + 2 * minute + 1),
      ev.stat('placed', t0 + 2 * minute + 1),
    );
    // Only a step finishing, after the timer fired, with another still pending: still replaced.
    const late = t0 + 10 * minute;
    given(...step3, ev.succeeded('notify_checkout', t0 + 3 * minute))
      .when(cmd.ok('stat_placed'), late)
      .then(ev.succeeded('stat_placed', late), ev.timerCancelled('retry-5'));
    given(...step3)
      .when(cmd.ok('notify_checkout'), late)
      .then(ev.succeeded('notify_checkout', late), ev.timerCancelled('retry-5'), ev.retry(9, late));
  });
});

describe('process.effects', () => {
  const effectsOf = (history: OrderEvent[]) => decider.process?.effects(stateOf(history)).map((effect) => effect.stepId);

  it('lists exactly the pending steps at each point of an order’s life', () => {
    expect(effectsOf([])).toEqual([]);
    expect(effectsOf(placing)).toEqual(['reserve_stock']);
    expect(effectsOf(reserved)).toEqual(['debit_buyer']);
    expect(effectsOf(debited)).toEqual(['credit_seller']);
    expect(effectsOf(paidReporting)).toEqual(['notify_checkout', 'stat_placed']);
    expect(effectsOf([...paidReporting, ev.succeeded('stat_placed')])).toEqual(['notify_checkout']);
    expect(effectsOf(paid)).toEqual([]);
    expect(effectsOf([...paid, ...shippedEvents])).toEqual(['stat_shipped']);
    expect(effectsOf(shipped)).toEqual([]);
    expect(effectsOf(confirmed())).toEqual(['release_funds']);
    expect(effectsOf(sellerCancelling())).toEqual(['void_pending']);
    expect(effectsOf(cancelledBySeller())).toEqual(['stat_cancelled']);
  });

  it('gives each pending step’s target and exact command', () => {
    expect(decider.process?.effects(stateOf(reserved))).toEqual([{ stepId: 'debit_buyer', ...sends.debit_buyer }]);
    expect(decider.process?.effects(stateOf(paidReporting))).toEqual([
      { stepId: 'notify_checkout', target: 'checkout:c1', command: { type: 'OrderSettled', orderId: 'o1', outcome: 'PAID', code: null, message: null } },
      { stepId: 'stat_placed', target: 'seller:s1', command: { type: 'RecordOrderOutcome', orderId: 'o1', outcome: 'placed', atMs: t0 } },
    ]);
  });
});

describe('evolve', () => {
  it('folds a history into plain data that survives a JSON snapshot', () => {
    const state = stateOf(cancelledBySeller());
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it.each<[string, () => OrderEvent[]]>([
    ['a second placement', () => [...placing, ev.placed()]],
    ['a step started twice', () => [...placing, ev.started('reserve_stock')]],
    ['an outcome of a step never started', () => [...placing, ev.succeeded('debit_buyer')]],
    ['a step finishing twice', () => [...reserved, ev.succeeded('reserve_stock')]],
    ['a second payment', () => [...paid, { type: 'OrderPaid', at: t1 }]],
    ['a second checkout confirmation', () => [...paidConfirmed, checkoutConfirmed]],
    ['a checkout confirmation before payment', () => [...debited, checkoutConfirmed]],
    ['a checkout confirmation while cancelling', () => [...sellerCancelling(), checkoutConfirmed]],
    ['a payment before placing', () => [{ type: 'OrderPaid', at: t0 }]],
    ['a second pricing', () => [...reserved, ev.priced()]],
    ['a price past 2^53', () => [...placing, { type: 'OrderPriced', items: [], totalMinor: 2 ** 53, feeMinor: 0, at: t0 }]],
    ['a release of a cancelled order', () => [...sellerCancelling(), { type: 'ReleaseStarted', reason: 'auto_release', at: t1 }]],
    ['a refund of a released order', () => [...confirmed(), { type: 'CancellationStarted', reason: 'admin_cancelled', at: t2 }]],
    ['a second cancellation', () => [...cancelledBySeller(), { type: 'CancellationStarted', reason: 'admin_cancelled', at: t2 }]],
    ['a cancellation of an unpaid order', () => [...placing, { type: 'CancellationStarted', reason: 'checkout_failed', at: t0 }]],
    ['a completion without a release', () => [...shipped, { type: 'OrderCompleted', reason: 'auto_release', releasedMinor: 1, feeMinor: 0, at: t2 }]],
    ['a timer scheduled twice', () => [...paid, ev.shipBy()]],
    ['a cancel of an unknown timer', () => [...paid, ev.timerCancelled('retry-1')]],
  ])('throws on %s, because only a bug produces such an event', (_name, history) => {
    // The history is built inside the test, so a decider bug fails this test rather than collection.
    const events = history();
    expect(() => events.reduce(evolve, initialState)).toThrow(/order invariant broken/);
  });
});
