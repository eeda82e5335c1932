/**
 * The order decider's rules that hold on every path: command ids, placing an order, idempotent
 * step answers, a failed step, the retry timer, the effects it asks for, and evolve. The lifecycle
 * paths have their own files: order.placing.test.ts, order.release.test.ts and
 * order.cancel.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { OrderEvent } from './order-messages.ts';
import { commandId, createOrderDecider, evolve, initialState, isOrderAtRest } from './order.ts';
import {
  adminCancellingUnconfirmed,
  cancelledBySeller,
  checkoutConfirmed,
  cmd,
  completedByBuyer,
  confirmed,
  debited,
  decider,
  disputedShipped,
  ev,
  given,
  legacyPaid,
  legacyPaidReporting,
  outOfStock,
  paid,
  paidConfirmed,
  paidReporting,
  placing,
  policy,
  reserved,
  retryMs,
  sellerCancelling,
  sends,
  sendsItems,
  shipped,
  shippedEvents,
  stateOf,
  stockReserved,
  t0,
  t1,
  t2,
  t3,
} from './order.fixtures.ts';

describe('the order decider', () => {
  it('is the order kind at state version 3 (with checkoutConfirmed and shipTo), with a process manager', () => {
    expect(decider.kind).toBe('order');
    expect(decider.stateVersion).toBe(3);
    expect(initialState.shipTo).toBeNull();
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

describe('isOrderAtRest', () => {
  it('is false while placing, while reporting to its checkout, and until its checkout confirmed it', () => {
    expect(isOrderAtRest(initialState)).toBe(false);
    expect(isOrderAtRest(stateOf(placing))).toBe(false);
    expect(isOrderAtRest(stateOf(debited))).toBe(false);
    expect(isOrderAtRest(stateOf(paidReporting))).toBe(false);
    expect(isOrderAtRest(stateOf(paid))).toBe(false);
  });

  it('is true once it waits for its seller or buyer with no step pending', () => {
    expect(isOrderAtRest(stateOf(paidConfirmed))).toBe(true);
    expect(isOrderAtRest(stateOf(shipped))).toBe(true);
    expect(decider.atRest).toBe(isOrderAtRest);
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
    given(...placing).when(cmd.place({ buyerId: 'b2' })).thenRejects('order_exists');
    given(...placing).when(cmd.place({ checkoutId: 'c2' })).thenRejects('order_exists');
    given(...placing).when(cmd.place({ items: [{ productId: 'mug', qty: 3 }] })).thenRejects('order_exists');
  });

  it('refuses an order without items', () => {
    given().when(cmd.place({ items: [] })).thenRejects('empty_order');
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

describe('a failed step stops its path', () => {
  it('stops a refund whose void failed, recording why, with nothing left to retry', () => {
    const message = "Order o1's pending funds were released, so they cannot be voided.";
    const stuck = given(...sellerCancelling())
      .when(cmd.fail('void_pending', 'already_released', message), t1)
      .then(ev.failed('void_pending', 'already_released', message, t1), ev.timerCancelled('retry-9'));
    const state = stateOf(stuck);
    expect(state).toMatchObject({ status: 'PAID', saga: 'cancelling', failure: { code: 'already_released', message } });
    expect(decider.process?.effects(state)).toEqual([]);
  });

  it('stops a release whose payout failed', () => {
    const stuck = given(...confirmed())
      .when(cmd.fail('release_funds', 'already_voided', 'Voided.'), t2)
      .then(ev.failed('release_funds', 'already_voided', 'Voided.', t2), ev.timerCancelled('retry-9'));
    expect(stateOf(stuck)).toMatchObject({ status: 'DELIVERED', saga: 'releasing', failure: { code: 'already_voided' } });
  });

  it('lets a report step fail without failing the order', () => {
    const history = given(...paidReporting)
      .when(cmd.fail('notify_checkout', 'unknown_checkout', 'There is no such checkout.'))
      .then(ev.failed('notify_checkout', 'unknown_checkout', 'There is no such checkout.'), ev.timerCancelled('retry-1'));
    expect(stateOf(history)).toMatchObject({ status: 'PAID', saga: null, failure: null });
    expect(decider.process?.effects(stateOf(history))).toEqual([]);
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
    given(...sellerCancelling()).when(cmd.retrySteps(9), due).then(ev.timerCancelled('retry-9'), ev.rearmed(9, 1, due));
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
    );
    // The last pending step finishing after the timer fired: the fired timer goes, and none replaces it.
    const late = t0 + 10 * minute;
    given(...step3).when(cmd.ok('notify_checkout'), late).then(ev.succeeded('notify_checkout', late), ev.timerCancelled('retry-5'));
    // Its checkout confirming it then finishes the report too, with the same effect on the timer.
    given(...step3).when(cmd.confirmCheckout(), late).then({ type: 'CheckoutConfirmed', at: late }, ev.succeeded('notify_checkout', late), ev.timerCancelled('retry-5'));
  });
});

describe('orders journaled with the legacy stat steps (to the seller, before its stats moved to the read model)', () => {
  it('replay with their stat step pending, which the runtime still sends to the seller', () => {
    expect(decider.process?.effects(stateOf(legacyPaidReporting))).toEqual([
      { stepId: 'notify_checkout', target: 'checkout:c1', command: { type: 'OrderSettled', orderId: 'o1', outcome: 'PAID', code: null, message: null } },
      { stepId: 'stat_placed', target: 'seller:s1', command: { type: 'RecordOrderOutcome', orderId: 'o1', outcome: 'placed', atMs: t0 } },
    ]);
  });

  it('finish that step on its outcome like a side step: its failure fails nothing', () => {
    const notified = [...legacyPaidReporting, ev.succeeded('notify_checkout')];
    given(...notified).when(cmd.ok('stat_placed'), t1).then(ev.succeeded('stat_placed', t1), ev.timerCancelled('retry-1'));
    const failed = given(...notified)
      .when(cmd.fail('stat_placed', 'unknown_reservation', 'Unknown.'), t1)
      .then(ev.failed('stat_placed', 'unknown_reservation', 'Unknown.', t1), ev.timerCancelled('retry-1'));
    expect(stateOf(failed)).toMatchObject({ status: 'PAID', saga: null, failure: null });
    expect(decider.process?.effects(stateOf(failed))).toEqual([]);
    // A repeated outcome is ignored, as for any step.
    given(...notified, ev.succeeded('stat_placed')).when(cmd.ok('stat_placed'), t1).then();
  });

  it('keep a retry timer while the stat step is pending, replacing one that already fired', () => {
    const late = t0 + 10 * 60_000;
    // 3 steps done and the report done (8), the stat step pending (1): retry-9.
    given(...legacyPaidReporting).when(cmd.ok('notify_checkout'), late).then(ev.succeeded('notify_checkout', late), ev.timerCancelled('retry-1'), ev.retry(9, late));
  });

  it('go on under the new rules: no stat step starts, and the progress count includes the old ones', () => {
    const legacyShipped: OrderEvent[] = [
      ...legacyPaid,
      checkoutConfirmed,
      ...shippedEvents,
      ev.legacyStat('shipped', t1),
      ev.retry(11, t1),
      ev.succeeded('stat_shipped', t1),
      ev.timerCancelled('retry-11'),
    ];
    // 6 steps done (12), release_funds pending (1): retry-13, and no stat_completed at the end.
    const completed = completedByBuyer(confirmed(legacyShipped, 13), 13);
    expect(stateOf(completed)).toMatchObject({ status: 'COMPLETED', saga: null, timers: {} });
    expect(decider.process?.effects(stateOf(completed))).toEqual([]);
  });
});

describe('process.effects', () => {
  const effectsOf = (history: OrderEvent[]) => decider.process?.effects(stateOf(history)).map((effect) => effect.stepId);

  it('lists exactly the pending steps at each point of an order’s life', () => {
    expect(effectsOf([])).toEqual([]);
    expect(effectsOf(placing)).toEqual(['reserve_stock']);
    expect(effectsOf(reserved)).toEqual(['debit_buyer']);
    expect(effectsOf(debited)).toEqual(['credit_seller']);
    expect(effectsOf(paidReporting)).toEqual(['notify_checkout']);
    expect(effectsOf(paid)).toEqual([]);
    expect(effectsOf([...paidReporting, checkoutConfirmed, ev.succeeded('notify_checkout')])).toEqual([]);
    expect(effectsOf(shipped)).toEqual([]);
    expect(effectsOf(confirmed())).toEqual(['release_funds']);
    expect(effectsOf(sellerCancelling())).toEqual(['void_pending']);
    expect(effectsOf(cancelledBySeller())).toEqual([]);
    expect(effectsOf(disputedShipped())).toEqual([]);
  });

  it('gives each pending step’s target and exact command', () => {
    expect(decider.process?.effects(stateOf(reserved))).toEqual([{ stepId: 'debit_buyer', ...sends.debit_buyer }]);
    expect(decider.process?.effects(stateOf(paidReporting))).toEqual([
      { stepId: 'notify_checkout', target: 'checkout:c1', command: { type: 'OrderSettled', orderId: 'o1', outcome: 'PAID', code: null, message: null } },
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
    ['a checkout confirmation while cancelling', () => [...adminCancellingUnconfirmed(), checkoutConfirmed]],
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
