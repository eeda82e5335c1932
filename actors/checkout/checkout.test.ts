import { describe, expect, it } from 'vitest';
import type { CartLine, CheckoutCommand, CheckoutEvent } from './checkout-messages.ts';
import { cartLimits } from './cart-limits.ts';
import { cartFingerprint } from './checkout-plan.ts';
import { checkoutDecider, createCheckoutDecider, evolve, initialState, isConfirmed } from './checkout.ts';
import { amyOrder, cmd, confirmCommand, ev, given, lines, now, orders, placeCommand, retryMs, started, stateOf, zedOrder } from './checkout.fixtures.ts';

// ---------------------------------------------------------------------------------------------

describe('checkoutDecider', () => {
  it('is the checkout kind at state version 3 (with timers and shipTo), with a process manager', () => {
    expect(checkoutDecider.kind).toBe('checkout');
    expect(checkoutDecider.stateVersion).toBe(3);
    expect(checkoutDecider.initialState.shipTo).toBeNull();
    expect(checkoutDecider.initialState.timers).toEqual({});
    expect(checkoutDecider.initialState.status).toBe('NEW');
    const outcome = { ok: true as const, events: [] };
    expect(checkoutDecider.process?.stepCompleted('place:k1-1', outcome)).toEqual({ type: 'StepCompleted', stepId: 'place:k1-1', outcome });
  });

  it.each<[CheckoutCommand, string]>([
    [cmd.start(), `start:${cartFingerprint('k1', 'b1', lines)}`],
    [cmd.ok('place:k1-1'), 'step:place:k1-1'],
    [cmd.paid('k1-2'), 'settled:k1-2'],
    [cmd.retrySteps('2.1'), 'timer:retry-2.1'],
  ])('keys %j as %s', (command, key) => {
    expect(checkoutDecider.commandId(command)).toBe(key);
  });

  it('keys a start by its cart and buyer, so reusing a checkoutId for another cart reaches decide', () => {
    const same = checkoutDecider.commandId(cmd.start([...lines].reverse()));
    expect(same).toBe(checkoutDecider.commandId(cmd.start()));
    expect(checkoutDecider.commandId(cmd.start(lines, 'b2'))).not.toBe(same);
    expect(checkoutDecider.commandId(cmd.start(lines.slice(1)))).not.toBe(same);
  });

  it.each([{ stepRetryMs: 0 }, { stepRetryMs: -5 }, { stepRetryMs: 1.5 }, { stepRetryMs: Number.NaN }])('refuses to start with a bad policy %j', (bad) => {
    expect(() => createCheckoutDecider(bad)).toThrow(/checkout policy/);
  });

  it('names the orders a start will place as its related keys: the targets of its first steps, none for a cart it refuses or another command', () => {
    const related = checkoutDecider.relatedKeys?.(cmd.start()) ?? [];
    expect(related).toEqual(['order:k1-1', 'order:k1-2']);
    const decision = checkoutDecider.decide(initialState, cmd.start(), now);
    const targets = Array.isArray(decision) ? decision.flatMap((event) => (event.type === 'StepStarted' ? [event.target] : [])) : [];
    expect(targets).toEqual(related);
    expect(checkoutDecider.relatedKeys?.(cmd.start([]))).toEqual([]);
    expect(checkoutDecider.relatedKeys?.(cmd.ok('place:k1-1'))).toEqual([]);
  });

  it('retries after the policy’s delay', () => {
    const decision = createCheckoutDecider({ stepRetryMs: 5_000 }).decide(initialState, cmd.start(), now);
    expect(decision).toContainEqual({ type: 'TimerScheduled', timerId: 'retry-2', dueAt: now + 5_000, command: { type: 'RetrySteps', timerId: 'retry-2' } });
  });
});

describe('StartCheckout', () => {
  it('plans one order per seller, sellers and products sorted, repeated products merged, and places each', () => {
    const history = given().when(cmd.start()).then(...started);
    expect(stateOf(history)).toMatchObject({ status: 'PLACING', checkoutId: 'k1', buyerId: 'b1', orders });
    // A place step's success is recorded by the order's report (OrderSettled), not on its own.
    expect(checkoutDecider.process?.effects(stateOf(history))).toEqual([
      { stepId: 'place:k1-1', target: 'order:k1-1', command: placeCommand(amyOrder), finishedByReport: true },
      { stepId: 'place:k1-2', target: 'order:k1-2', command: placeCommand(zedOrder), finishedByReport: true },
    ]);
  });

  it('accepts the same cart again with no events, even in another line order', () => {
    given(...started).when(cmd.start()).then();
    given(...started).when(cmd.start([...lines].reverse())).then();
  });

  it('refuses a different cart or buyer under the same checkout id', () => {
    given(...started).when(cmd.start(lines.slice(1))).thenRejects('checkout_exists');
    given(...started).when(cmd.start(lines, 'b2')).thenRejects('checkout_exists');
    given(...started).when(cmd.start([])).thenRejects('checkout_exists');
  });

  it('validates the cart', () => {
    given().when(cmd.start([])).thenRejects('empty_cart');
    const many = Array.from({ length: cartLimits.linesMax + 1 }, (_, index) => ({ sellerId: 's', productId: `p${index}`, qty: 1 }));
    given().when(cmd.start(many)).thenRejects('too_many_lines');
    expect(checkoutDecider.decide(initialState, cmd.start(many.slice(1)), now)).toHaveLength(3);
    for (const qty of [0, -1, 1.5, Number.NaN, cartLimits.qtyMax + 1]) {
      given().when(cmd.start([{ sellerId: 's', productId: 'p', qty }])).thenRejects('invalid_quantity');
    }
    const most = checkoutDecider.decide(initialState, cmd.start([{ sellerId: 's', productId: 'p', qty: cartLimits.qtyMax }]), now);
    expect(most).toContainEqual({
      type: 'CheckoutStarted',
      checkoutId: 'k1',
      buyerId: 'b1',
      orders: [{ orderId: 'k1-1', sellerId: 's', items: [{ productId: 'p', qty: 1_000 }] }],
      at: now,
    });
    const split = [
      { sellerId: 's', productId: 'p', qty: 600 },
      { sellerId: 's', productId: 'p', qty: 401 },
    ];
    given().when(cmd.start(split)).thenRejects('invalid_quantity');
  });

  it('takes a cart of 50 lines and rejects line 51, the bound the gateway and the storefront import', () => {
    const cartOf = (length: number) => Array.from({ length }, (_, index) => ({ sellerId: `s${index % 3}`, productId: `p${index}`, qty: 1 }));
    expect(cartLimits.linesMax).toBe(50);
    given()
      .when(cmd.start(cartOf(50)))
      .thenAccepts((events) => expect(events).toContainEqual(expect.objectContaining({ type: 'CheckoutStarted', checkoutId: 'k1' })));
    given().when(cmd.start(cartOf(51))).thenRejects('too_many_lines');
  });
});

describe('settling: all orders PAID', () => {
  it('completes when every order is paid, in any order of arrival, and confirms each order', () => {
    // Each report also finishes its order's place step (Effect.finishedByReport).
    const one = given(...started).when(cmd.paid('k1-2')).then(ev.paid('k1-2'), ev.succeeded('place:k1-2'));
    // k1-1's report completes the checkout: the answer to it is k1-1's confirmation (order.ts).
    const done = given(...one)
      .when(cmd.paid('k1-1'))
      .then(ev.paid('k1-1'), ev.succeeded('place:k1-1'), ev.completed(), ev.confirming('k1-1'), ev.succeeded('confirm:k1-1'), ev.confirming('k1-2'));
    expect(stateOf(done).status).toBe('COMPLETED');
    expect(checkoutDecider.process?.effects(stateOf(done)).map((effect) => effect.stepId)).toEqual(['confirm:k1-2']);
    const other = given(...started, ev.paid('k1-1'), ev.succeeded('place:k1-1')).when(cmd.paid('k1-2'));
    other.then(ev.paid('k1-2'), ev.succeeded('place:k1-2'), ev.completed(), ev.confirming('k1-1'), ev.confirming('k1-2'), ev.succeeded('confirm:k1-2'));
    // A place step already recorded on its own (by a runtime before finishedByReport) stays as it is.
    given(...started, ev.succeeded('place:k1-2')).when(cmd.paid('k1-2')).then(ev.paid('k1-2'));
  });

  it('confirms a one-order cart by the answer to its report alone, so it is settled at once', () => {
    const single: CartLine[] = [{ sellerId: 'amy', productId: 'tea', qty: 1 }];
    const placed = checkoutDecider.decide(initialState, cmd.start(single), now);
    if (!Array.isArray(placed)) throw new Error('the start was refused');
    const done = given(...placed, ev.succeeded('place:k1-1'))
      .when(cmd.paid('k1-1'))
      .thenAccepts((events) => expect(events).toContainEqual(ev.succeeded('confirm:k1-1')));
    const state = stateOf(done);
    expect(state.status).toBe('COMPLETED');
    expect(isConfirmed(state)).toBe(true);
    expect(checkoutDecider.process?.effects(state)).toEqual([]);
  });

  it('stays COMPLETED while its confirm steps run, and is confirmed once all are done', () => {
    const completed = [...started, ev.succeeded('place:k1-1'), ev.succeeded('place:k1-2'), ev.paid('k1-1'), ev.paid('k1-2'), ev.completed()];
    const confirming = [...completed, ev.confirming('k1-1'), ev.confirming('k1-2')];
    expect(checkoutDecider.process?.effects(stateOf(confirming))).toEqual([
      { stepId: 'confirm:k1-1', target: 'order:k1-1', command: confirmCommand },
      { stepId: 'confirm:k1-2', target: 'order:k1-2', command: confirmCommand },
    ]);
    expect(isConfirmed(stateOf(confirming))).toBe(false);
    const one = given(...confirming).when(cmd.ok('confirm:k1-1')).then(ev.succeeded('confirm:k1-1'));
    expect(isConfirmed(stateOf(one))).toBe(false);
    const both = given(...one).when(cmd.ok('confirm:k1-2')).then(ev.succeeded('confirm:k1-2'), ev.timerCancelled('retry-2'));
    expect(stateOf(both).status).toBe('COMPLETED');
    expect(isConfirmed(stateOf(both))).toBe(true);
    given(...both).when(cmd.ok('confirm:k1-2')).then();
    expect(isConfirmed(stateOf(completed))).toBe(false);
  });

  it('stops a confirm step the order refused, for an operator, still COMPLETED', () => {
    const confirming = [...started, ev.paid('k1-1'), ev.paid('k1-2'), ev.completed(), ev.confirming('k1-1'), ev.confirming('k1-2')];
    const stuck = given(...confirming)
      .when(cmd.fail('confirm:k1-1', 'not_your_order', 'Order k1-1 belongs to another checkout.'))
      .then(ev.failed('confirm:k1-1', 'not_your_order', 'Order k1-1 belongs to another checkout.'));
    expect(stateOf(stuck).status).toBe('COMPLETED');
    expect(isConfirmed(stateOf(stuck))).toBe(false);
    expect(checkoutDecider.process?.effects(stateOf(stuck)).map((effect) => effect.stepId)).toEqual(['place:k1-1', 'place:k1-2', 'confirm:k1-2']);
  });

  it('records each settlement once', () => {
    given(...started, ev.paid('k1-1')).when(cmd.paid('k1-1')).then();
    given(...started, ev.paid('k1-1')).when(cmd.failed('k1-1')).then();
  });

  it('refuses settlements of orders it does not have', () => {
    given().when(cmd.paid('k1-1')).thenRejects('unknown_checkout');
    given(...started).when(cmd.paid('k1-3')).thenRejects('unknown_checkout');
    given(...started).when(cmd.paid('constructor')).thenRejects('unknown_checkout');
  });

  it('records place steps as they finish, apart from settlement', () => {
    given(...started).when(cmd.ok('place:k1-1')).then(ev.succeeded('place:k1-1'));
    given(...started, ev.succeeded('place:k1-1')).when(cmd.ok('place:k1-1')).then();
    given(...started).when(cmd.ok('cancel:k1-1')).then();
    given(...started).when(cmd.ok('no-such-step')).then();
  });
});

describe('evolve', () => {
  it('folds a history into plain data that survives a JSON snapshot', () => {
    const state = stateOf([...started, ev.paid('k1-1'), ev.failedOrder('k1-2', 'x', 'X.')]);
    expect(state.timers).toEqual({ 'retry-2': { dueAt: now + retryMs, command: { type: 'RetrySteps', timerId: 'retry-2' } } });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it.each<[string, CheckoutEvent[]]>([
    ['a second start', [...started, ev.started()]],
    ['a step started twice', [...started, ev.placing(amyOrder)]],
    ['a step finishing twice', [...started, ev.succeeded('place:k1-1'), ev.succeeded('place:k1-1')]],
    ['a settlement of an unknown order', [...started, ev.paid('k1-9')]],
    ['a second settlement', [...started, ev.paid('k1-1'), ev.paid('k1-1')]],
    ['a completion after compensation', [...started, { type: 'CompensationStarted', code: 'x', message: 'X.', at: now }, { type: 'CheckoutCompleted', at: now }]],
    ['a failure without compensation', [...started, { type: 'CheckoutFailed', code: 'x', message: 'X.', at: now }]],
    ['a timer scheduled twice', [...started, ev.retry('2')]],
    ['a cancel of an unknown timer', [...started, ev.timerCancelled('retry-3')]],
  ])('throws on %s, because only a bug produces such an event', (_name, history) => {
    expect(() => history.reduce(evolve, initialState)).toThrow(/checkout invariant broken/);
  });
});
