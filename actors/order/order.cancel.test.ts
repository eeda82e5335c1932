/**
 * The side exits: cancellation (by the buyer, the seller, an admin, the checkout or the ship-by
 * timer) with its refund, and disputes with their resolution.
 */
import { describe, expect, it } from 'vitest';
import {
  adminCancellingShipped,
  adminCancellingUnconfirmed,
  cancelledBySeller,
  checkoutConfirmed,
  cmd,
  confirmed,
  day,
  decider,
  disputedPaid,
  disputedShipped,
  ev,
  failedForStock,
  feeMinor,
  given,
  paid,
  paidConfirmed,
  paidReporting,
  people,
  placing,
  sellerCancelling,
  shipped,
  stateOf,
  t0,
  t1,
  t2,
  t3,
  totalMinor,
} from './order.fixtures.ts';

describe('CancelOrder', () => {
  it('lets the seller cancel a confirmed order before shipping: void the pending funds, refund the buyer, give the stock back', () => {
    expect(stateOf(sellerCancelling())).toMatchObject({ status: 'PAID', saga: 'cancelling', cancelReason: 'seller_cancelled' });
    const cancelled = cancelledBySeller();
    // Nothing is left pending, so the retry timer went with the last step (cancelledBySeller).
    expect(stateOf(cancelled)).toMatchObject({ status: 'CANCELLED', saga: null, cancelledAt: t1, timers: {} });
    expect(decider.process?.effects(stateOf(cancelled))).toEqual([]);
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
        ev.timerCancelled('retry-9'),
      );
  });

  it('lets the checkout cancel a paid order whose report steps still run', () => {
    given(...paidReporting)
      .when(cmd.cancel(people.system, 'checkout_failed'))
      .then({ type: 'CancellationStarted', reason: 'checkout_failed', at: t0 }, ev.timerCancelled('ship-by'), ev.started('void_pending'));
  });

  it('refuses the seller once shipped', () => {
    given(...shipped).when(cmd.cancel(), t2).thenRejects('invalid_transition');
  });

  it('refuses the seller until the checkout confirmed the order, as shipping does (it cannot see the order yet)', () => {
    given(...paid).when(cmd.cancel(people.seller, 'seller_cancelled'), t1).thenRejects('awaiting_checkout');
    given(...paidReporting).when(cmd.cancel(people.seller, 'seller_cancelled'), t0).thenRejects('awaiting_checkout');
    const decision = decider.decide(stateOf(paid), cmd.cancel(people.seller, 'seller_cancelled'), t1);
    expect(decision).toEqual({ rejected: 'awaiting_checkout', message: 'Order o1 cannot be cancelled yet: the rest of this checkout is still being paid.' });
    // Who the seller is, and which reasons it may give, are judged first, as before.
    given(...paid).when(cmd.cancel(people.otherSeller), t1).thenRejects('not_your_order');
    given(...paid).when(cmd.cancel(people.seller, 'admin_cancelled'), t1).thenRejects('forbidden');
    // Once confirmed, the same cancel is accepted.
    given(...paid, checkoutConfirmed).when(cmd.cancel(people.seller, 'seller_cancelled'), t1).then(
      { type: 'CancellationStarted', reason: 'seller_cancelled', at: t1 },
      ev.timerCancelled('ship-by'),
      ev.started('void_pending', t1),
      ev.retry(9, t1),
    );
  });

  it('is for the order’s seller, an admin or the system, each with its own reasons', () => {
    given(...paid).when(cmd.cancel(people.buyer, 'seller_cancelled'), t1).thenRejects('forbidden');
    given(...paid).when(cmd.cancel(people.otherSeller), t1).thenRejects('not_your_order');
    given(...paid).when(cmd.cancel(people.seller, 'admin_cancelled'), t1).thenRejects('forbidden');
    given(...paid).when(cmd.cancel(people.admin, 'checkout_failed'), t1).thenRejects('forbidden');
    given(...paid).when(cmd.cancel(people.admin, 'ship_by_expired'), t1).thenRejects('forbidden');
    given(...paid).when(cmd.cancel(people.system, 'dispute_refunded'), t1).thenRejects('forbidden');
  });

  it('needs a paid (or, for an admin, shipped) order with no saga running', () => {
    given().when(cmd.cancel(), t1).thenRejects('unknown_order');
    given(...placing).when(cmd.cancel(people.system, 'checkout_failed')).thenRejects('invalid_transition');
    given(...sellerCancelling()).when(cmd.cancel(people.admin, 'admin_cancelled'), t1).thenRejects('invalid_transition');
    given(...cancelledBySeller()).when(cmd.cancel(people.admin, 'admin_cancelled'), t1).thenRejects('invalid_transition');
    given(...disputedPaid()).when(cmd.cancel(people.admin, 'admin_cancelled'), t1).thenRejects('invalid_transition');
    given(...confirmed()).when(cmd.cancel(people.admin, 'admin_cancelled'), t2).thenRejects('invalid_transition');
    given(...failedForStock()).when(cmd.cancel(people.admin, 'admin_cancelled')).thenRejects('invalid_transition');
    given(...disputedPaid()).when(cmd.cancel(people.system, 'checkout_failed'), t1).thenRejects('invalid_transition');
  });

  it('accepts the checkout’s cancel of an order already cancelled, being cancelled or failed as a no-op', () => {
    given(...cancelledBySeller()).when(cmd.cancel(people.system, 'checkout_failed'), t1).then();
    given(...sellerCancelling()).when(cmd.cancel(people.system, 'checkout_failed'), t1).then();
    given(...adminCancellingUnconfirmed()).when(cmd.cancel(people.system, 'checkout_failed'), t1).then();
    given(...failedForStock()).when(cmd.cancel(people.system, 'checkout_failed')).then();
    // Only the checkout's reason: a seller or an admin still hears that the order is past cancelling.
    given(...cancelledBySeller()).when(cmd.cancel(), t1).thenRejects('invalid_transition');
  });

  it('lets an admin or the checkout (its compensation, or an operator through the system) cancel a paid order its checkout has not confirmed', () => {
    for (const [by, reason] of [
      [people.admin, 'admin_cancelled'],
      [people.system, 'checkout_failed'],
      [people.system, 'admin_cancelled'],
    ] as const) {
      given(...paid)
        .when(cmd.cancel(by, reason), t1)
        .then({ type: 'CancellationStarted', reason, at: t1 }, ev.timerCancelled('ship-by'), ev.started('void_pending', t1), ev.retry(9, t1));
    }
  });
});

describe('CancelOrder by the buyer', () => {
  it('refunds an unshipped paid order whose checkout confirmed it', () => {
    given(...paidConfirmed)
      .when(cmd.cancel(people.buyer, 'buyer_cancelled'), t1)
      .then({ type: 'CancellationStarted', reason: 'buyer_cancelled', at: t1 }, ev.timerCancelled('ship-by'), ev.started('void_pending', t1), ev.retry(9, t1));
  });

  it('waits for the checkout, stops at shipping (dispute instead), and is for the order’s buyer only', () => {
    given(...paid).when(cmd.cancel(people.buyer, 'buyer_cancelled'), t1).thenRejects('awaiting_checkout');
    given(...shipped).when(cmd.cancel(people.buyer, 'buyer_cancelled'), t2).thenRejects('invalid_transition');
    given(...paidConfirmed).when(cmd.cancel(people.otherBuyer, 'buyer_cancelled'), t1).thenRejects('not_your_order');
    given(...paidConfirmed).when(cmd.cancel(people.seller, 'buyer_cancelled'), t1).thenRejects('forbidden');
    given(...paidConfirmed).when(cmd.cancel(people.buyer, 'admin_cancelled'), t1).thenRejects('forbidden');
  });
});

describe('ExpireShipBy (the ship-by timer)', () => {
  const dueAt = t0 + 3 * day;

  it('cancels and refunds a paid order the seller did not ship in time', () => {
    const cancelling = given(...paid)
      .when(cmd.expireShipBy(), dueAt)
      .then({ type: 'CancellationStarted', reason: 'ship_by_expired', at: dueAt }, ev.timerCancelled('ship-by'), ev.started('void_pending', dueAt), ev.retry(9, dueAt));
    const refunding = given(...cancelling).when(cmd.ok('void_pending'), dueAt).then(ev.succeeded('void_pending', dueAt), ev.started('refund_buyer', dueAt));
    const releasing = given(...refunding).when(cmd.ok('refund_buyer'), dueAt).then(ev.succeeded('refund_buyer', dueAt), ev.started('release_stock', dueAt));
    given(...releasing)
      .when(cmd.ok('release_stock'), dueAt)
      .then(
        ev.succeeded('release_stock', dueAt),
        { type: 'OrderCancelled', reason: 'ship_by_expired', refundedMinor: totalMinor, at: dueAt },
        ev.timerCancelled('retry-9'),
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

  it('is for shipped orders only: an unshipped paid order is cancelled by its buyer instead', () => {
    given(...paidConfirmed).when(cmd.dispute(), t1).thenRejects('not_shipped');
    given(...paid).when(cmd.dispute(), t1).thenRejects('not_shipped');
    given(...paidReporting).when(cmd.dispute(), t0).thenRejects('not_shipped');
  });

  it('is for the order’s buyer only', () => {
    given(...shipped).when(cmd.dispute(people.otherBuyer), t2).thenRejects('not_your_order');
    given(...shipped).when(cmd.dispute(people.seller), t2).thenRejects('forbidden');
    given(...shipped).when(cmd.dispute(people.admin), t2).thenRejects('forbidden');
  });

  it('needs funds that are locked and not being released or refunded', () => {
    given().when(cmd.dispute(), t2).thenRejects('unknown_order');
    given(...placing).when(cmd.dispute()).thenRejects('invalid_transition');
    given(...disputedShipped()).when(cmd.dispute(), t3).thenRejects('invalid_transition');
    given(...confirmed()).when(cmd.dispute(), t2).thenRejects('invalid_transition');
    given(...sellerCancelling()).when(cmd.dispute(), t1).thenRejects('invalid_transition');
    given(...cancelledBySeller()).when(cmd.dispute(), t1).thenRejects('invalid_transition');
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
        ev.retry(9, t3),
      );
    expect(stateOf(refundStart)).toMatchObject({ status: 'DISPUTED', saga: 'cancelling' });
    const refunding = given(...refundStart).when(cmd.ok('void_pending'), t3).then(ev.succeeded('void_pending', t3), ev.started('refund_buyer', t3));
    const cancelled = given(...refunding)
      .when(cmd.ok('refund_buyer'), t3)
      .then(ev.succeeded('refund_buyer', t3), { type: 'OrderCancelled', reason: 'dispute_refunded', refundedMinor: totalMinor, at: t3 }, ev.timerCancelled('retry-9'));
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
        ev.retry(9, t3),
      );
    const fee = given(...releaseStart).when(cmd.ok('release_funds'), t3).then(ev.succeeded('release_funds', t3), ev.started('credit_fee', t3));
    const completed = given(...fee)
      .when(cmd.ok('credit_fee'), t3)
      .then(
        ev.succeeded('credit_fee', t3),
        { type: 'OrderCompleted', reason: 'dispute_released', releasedMinor: totalMinor, feeMinor, at: t3 },
        ev.timerCancelled('retry-9'),
      );
    expect(stateOf(completed).status).toBe('COMPLETED');
    given(...releaseStart).when(cmd.releaseEscrow(), t3).then();
  });

  it('is for an admin only, on an open dispute, once', () => {
    for (const by of [people.buyer, people.seller, people.system]) {
      given(...disputedShipped()).when(cmd.resolve('refund', by), t3).thenRejects('forbidden');
    }
    given().when(cmd.resolve('refund'), t3).thenRejects('unknown_order');
    given(...shipped).when(cmd.resolve('refund'), t3).thenRejects('not_disputed');
    const refundStart = given(...disputedShipped()).when(cmd.resolve('refund'), t3).then(
      { type: 'DisputeResolved', resolution: 'refund', adminId: 'a1', at: t3 },
      { type: 'CancellationStarted', reason: 'dispute_refunded', at: t3 },
      ev.started('void_pending', t3),
      ev.retry(9, t3),
    );
    given(...refundStart).when(cmd.resolve('release'), t3).thenRejects('invalid_transition');
  });
});
