/**
 * Shipping and the release of escrowed funds: by the buyer's confirmation or by the auto-release
 * timer.
 */
import { describe, expect, it } from 'vitest';
import {
  adminCancellingShipped,
  cancelledBySeller,
  checkoutConfirmed,
  cmd,
  completedByBuyer,
  confirmed,
  day,
  decider,
  disputedPaid,
  disputedShipped,
  ev,
  feeMinor,
  given,
  paid,
  paidConfirmed,
  paidReporting,
  people,
  placing,
  sellerCancelling,
  shipped,
  shippedEvents,
  shippedFact,
  stateOf,
  t0,
  t1,
  t2,
  t3,
  totalMinor,
} from './order.fixtures.ts';

describe('ShipOrder', () => {
  it('ships a paid order: stops the ship-by timer and starts the escrow release clock at ship + 7 days', () => {
    const history = given(...paidConfirmed).when(cmd.ship(), t1).then(...shippedEvents);
    expect(stateOf(history)).toMatchObject({ status: 'SHIPPED', shipped: true, shippedAt: t1, releaseDueAt: t1 + 7 * day });
    expect(stateOf(history).timers['release-escrow']).toEqual({ dueAt: t1 + 7 * day, command: { type: 'ReleaseEscrow', timerId: 'release-escrow' } });
  });

  it('replaces a retry timer that has already fired when steps are still pending', () => {
    // Only an order confirmed before ConfirmCheckout finished the report too ships with it pending:
    // 3 steps done (6) and the report pending (1), so the new timer is retry-7.
    given(...paidReporting, checkoutConfirmed)
      .when(cmd.ship(), t1)
      .then(shippedFact(t1), ev.timerCancelled('ship-by'), ev.releaseTimer(), ev.timerCancelled('retry-1'), ev.retry(7, t1));
  });

  it('is for the order’s seller only', () => {
    given(...paidConfirmed).when(cmd.ship(people.otherSeller), t1).thenRejects('not_your_order');
    given(...paidConfirmed).when(cmd.ship(people.buyer), t1).thenRejects('forbidden');
    given(...paidConfirmed).when(cmd.ship(people.admin), t1).thenRejects('forbidden');
    given(...paidConfirmed).when(cmd.ship(people.system), t1).thenRejects('forbidden');
  });

  it('waits for the checkout: a paid order its checkout has not confirmed cannot ship yet', () => {
    given(...paid).when(cmd.ship(), t1).thenRejects('awaiting_checkout');
    given(...paidReporting).when(cmd.ship(), t0).thenRejects('awaiting_checkout');
    const decision = decider.decide(stateOf(paid), cmd.ship(), t1);
    expect(decision).toEqual({ rejected: 'awaiting_checkout', message: 'Order o1 cannot be shipped yet: the rest of this checkout is still being paid.' });
  });

  it('needs a paid order with no saga running', () => {
    given().when(cmd.ship(), t1).thenRejects('unknown_order');
    given(...placing).when(cmd.ship(), t1).thenRejects('invalid_transition');
    given(...shipped).when(cmd.ship(), t2).thenRejects('invalid_transition');
    given(...sellerCancelling()).when(cmd.ship(), t1).thenRejects('invalid_transition');
    given(...disputedPaid()).when(cmd.ship(), t1).thenRejects('invalid_transition');
  });
});

describe('ConfirmDelivery and the release path', () => {
  it('releases the escrow when the buyer confirms: DELIVERED while releasing, then COMPLETED', () => {
    const releasing = confirmed();
    expect(stateOf(releasing)).toMatchObject({ status: 'DELIVERED', saga: 'releasing', deliveredAt: t2, releaseReason: 'buyer_confirmed' });
    expect(stateOf(releasing).timers['release-escrow']).toBeUndefined();
    const completed = completedByBuyer(releasing);
    expect(stateOf(completed)).toMatchObject({ status: 'COMPLETED', saga: null, completedAt: t2, timers: {} });
    expect(decider.process?.effects(stateOf(completed))).toEqual([]);
  });

  it('is for the order’s buyer only', () => {
    given(...shipped).when(cmd.confirm(people.otherBuyer), t2).thenRejects('not_your_order');
    given(...shipped).when(cmd.confirm(people.seller), t2).thenRejects('forbidden');
    given(...shipped).when(cmd.confirm(people.admin), t2).thenRejects('forbidden');
  });

  it('needs a shipped order with no saga running', () => {
    given().when(cmd.confirm(), t2).thenRejects('unknown_order');
    given(...paid).when(cmd.confirm(), t2).thenRejects('invalid_transition');
    given(...confirmed()).when(cmd.confirm(), t2).thenRejects('invalid_transition');
    given(...disputedShipped()).when(cmd.confirm(), t3).thenRejects('invalid_transition');
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
        ev.retry(9, dueAt),
      );
    expect(stateOf(releasing)).toMatchObject({ status: 'SHIPPED', saga: 'releasing' });
    const fee = given(...releasing).when(cmd.ok('release_funds'), dueAt).then(ev.succeeded('release_funds', dueAt), ev.started('credit_fee', dueAt));
    given(...fee)
      .when(cmd.ok('credit_fee'), dueAt)
      .then(
        ev.succeeded('credit_fee', dueAt),
        { type: 'OrderCompleted', reason: 'auto_release', releasedMinor: totalMinor, feeMinor, at: dueAt },
        ev.timerCancelled('retry-9'),
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
