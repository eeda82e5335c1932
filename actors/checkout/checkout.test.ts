import { describe, expect, it } from 'vitest';
import type { OrderCommand } from '../order/order-messages.ts';
import { deciderSpecification } from '../testing/decider-spec.ts';
import type { CartLine, CheckoutCommand, CheckoutEvent, PlannedOrder } from './checkout-messages.ts';
import { cartLimits } from './cart-limits.ts';
import { cartFingerprint } from './checkout-plan.ts';
import { checkoutDecider, createCheckoutDecider, defaultCheckoutPolicy, evolve, initialState, isConfirmed } from './checkout.ts';

// ---------------------------------------------------------------------------------------------
// Given (events) / When (command) / Then (events or rejection)

const now = Date.UTC(2026, 0, 1);
const retryMs = defaultCheckoutPolicy.stepRetryMs;

const { given, stateOf } = deciderSpecification(checkoutDecider, { now });

// A cart over two sellers, lines out of order and one product twice.
const lines: CartLine[] = [
  { sellerId: 'zed', productId: 'pen', qty: 1 },
  { sellerId: 'amy', productId: 'tea', qty: 2 },
  { sellerId: 'amy', productId: 'mug', qty: 1 },
  { sellerId: 'amy', productId: 'tea', qty: 3 },
];
const orders: PlannedOrder[] = [
  { orderId: 'k1-1', sellerId: 'amy', items: [{ productId: 'mug', qty: 1 }, { productId: 'tea', qty: 5 }] },
  { orderId: 'k1-2', sellerId: 'zed', items: [{ productId: 'pen', qty: 1 }] },
];

const placeCommand = (order: PlannedOrder): OrderCommand => ({
  type: 'PlaceOrder',
  orderId: order.orderId,
  checkoutId: 'k1',
  buyerId: 'b1',
  sellerId: order.sellerId,
  items: order.items,
});
const cancelCommand: OrderCommand = { type: 'CancelOrder', commandId: 'checkout-cancel', by: { role: 'SYSTEM' }, reason: 'checkout_failed' };
const confirmCommand: OrderCommand = { type: 'ConfirmCheckout', checkoutId: 'k1' };

const ev = {
  started: (): CheckoutEvent => ({ type: 'CheckoutStarted', checkoutId: 'k1', buyerId: 'b1', orders, at: now }),
  placing: (order: PlannedOrder): CheckoutEvent => ({
    type: 'StepStarted',
    stepId: `place:${order.orderId}`,
    target: `order:${order.orderId}`,
    command: placeCommand(order),
    at: now,
  }),
  cancelling: (orderId: string): CheckoutEvent => ({ type: 'StepStarted', stepId: `cancel:${orderId}`, target: `order:${orderId}`, command: cancelCommand, at: now }),
  confirming: (orderId: string): CheckoutEvent => ({ type: 'StepStarted', stepId: `confirm:${orderId}`, target: `order:${orderId}`, command: confirmCommand, at: now }),
  completed: (): CheckoutEvent => ({ type: 'CheckoutCompleted', at: now }),
  succeeded: (stepId: string, at = now): CheckoutEvent => ({ type: 'StepSucceeded', stepId, at }),
  failed: (stepId: string, code: string, message: string): CheckoutEvent => ({ type: 'StepFailed', stepId, code, message, at: now }),
  paid: (orderId: string, at = now): CheckoutEvent => ({ type: 'CheckoutOrderSettled', orderId, outcome: 'PAID', code: null, message: null, at }),
  /** The retry wake-up timer `retry-<id>`, scheduled at `at`, `rearms` times re-armed without progress. */
  retry: (id: string, at = now, rearms = 0): CheckoutEvent => ({
    type: 'TimerScheduled',
    timerId: `retry-${id}`,
    dueAt: at + retryMs * 2 ** rearms,
    command: { type: 'RetrySteps', timerId: `retry-${id}` },
  }),
  timerCancelled: (timerId: string): CheckoutEvent => ({ type: 'TimerCancelled', timerId }),
  failedOrder: (orderId: string, code: string | null, message: string | null): CheckoutEvent => ({
    type: 'CheckoutOrderSettled',
    orderId,
    outcome: 'FAILED',
    code,
    message,
    at: now,
  }),
};

const cmd = {
  start: (cart: CartLine[] = lines, buyerId = 'b1'): CheckoutCommand => ({ type: 'StartCheckout', checkoutId: 'k1', buyerId, lines: cart }),
  paid: (orderId: string): CheckoutCommand => ({ type: 'OrderSettled', orderId, outcome: 'PAID', code: null, message: null }),
  failed: (orderId: string, code: string | null = 'insufficient_funds', message: string | null = 'No money.'): CheckoutCommand => ({
    type: 'OrderSettled',
    orderId,
    outcome: 'FAILED',
    code,
    message,
  }),
  ok: (stepId: string): CheckoutCommand => ({ type: 'StepCompleted', stepId, outcome: { ok: true, events: [] } }),
  fail: (stepId: string, code: string, message: string): CheckoutCommand => ({ type: 'StepCompleted', stepId, outcome: { ok: false, code, message } }),
  retrySteps: (id: string): CheckoutCommand => ({ type: 'RetrySteps', timerId: `retry-${id}` }),
};

const [amyOrder, zedOrder] = orders as [PlannedOrder, PlannedOrder];
/** Two place steps pending (progress 2), so the first retry timer is `retry-2`. */
const started = [ev.started(), ev.placing(amyOrder), ev.placing(zedOrder), ev.retry('2')];

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

describe('compensation: any order FAILED', () => {
  it('waits for every order, then fails with the first failure by order index and cancels the paid ones', () => {
    const oneFailed = given(...started)
      .when(cmd.failed('k1-2', 'out_of_stock', 'Pen is gone.'))
      .then(ev.failedOrder('k1-2', 'out_of_stock', 'Pen is gone.'), ev.succeeded('place:k1-2'));
    expect(stateOf(oneFailed).status).toBe('PLACING');
    const compensating = given(...oneFailed)
      .when(cmd.paid('k1-1'))
      .then(ev.paid('k1-1'), ev.succeeded('place:k1-1'), { type: 'CompensationStarted', code: 'out_of_stock', message: 'Pen is gone.', at: now }, ev.cancelling('k1-1'));
    expect(stateOf(compensating)).toMatchObject({ status: 'COMPENSATING', failure: { code: 'out_of_stock' } });
    // The reports finished the place steps: only the cancel is pending.
    expect(checkoutDecider.process?.effects(stateOf(compensating))).toEqual([{ stepId: 'cancel:k1-1', target: 'order:k1-1', command: cancelCommand }]);
    const failed = given(...compensating)
      .when(cmd.ok('cancel:k1-1'))
      .then(ev.succeeded('cancel:k1-1'), { type: 'CheckoutFailed', code: 'out_of_stock', message: 'Pen is gone.', at: now }, ev.timerCancelled('retry-2'));
    expect(stateOf(failed).status).toBe('FAILED');
    given(...failed).when(cmd.ok('cancel:k1-1')).then();
  });

  it('takes the first failure by order index, not by arrival', () => {
    const history = [...started, ev.failedOrder('k1-2', 'second', 'Second.')];
    given(...history)
      .when(cmd.failed('k1-1', 'first', 'First.'))
      .then(ev.failedOrder('k1-1', 'first', 'First.'), ev.succeeded('place:k1-1'), { type: 'CompensationStarted', code: 'first', message: 'First.', at: now }, {
        type: 'CheckoutFailed',
        code: 'first',
        message: 'First.',
        at: now,
      });
  });

  it('fails at once when no order was paid, with a fallback reason when the order gave none', () => {
    const message = 'Order k1-1 of this checkout failed.';
    given(...started, ev.failedOrder('k1-2', 'x', 'X.'))
      .when(cmd.failed('k1-1', null, null))
      .then(
        ev.failedOrder('k1-1', null, null),
        ev.succeeded('place:k1-1'),
        { type: 'CompensationStarted', code: 'order_failed', message, at: now },
        { type: 'CheckoutFailed', code: 'order_failed', message, at: now },
      );
  });

  it('counts an order that refused its placement as FAILED', () => {
    const exists = 'Order k1-2 was already placed with other details.';
    const history = given(...started, ev.paid('k1-1'))
      .when(cmd.fail('place:k1-2', 'order_exists', exists))
      .then(
        ev.failed('place:k1-2', 'order_exists', exists),
        ev.failedOrder('k1-2', 'order_exists', exists),
        { type: 'CompensationStarted', code: 'order_exists', message: exists, at: now },
        ev.cancelling('k1-1'),
      );
    given(...history).when(cmd.paid('k1-2')).then();
    given(...started, ev.failedOrder('k1-2', 'x', 'X.')).when(cmd.fail('place:k1-2', 'order_exists', exists)).then(ev.failed('place:k1-2', 'order_exists', exists));
  });

  const compensating = [...started, ev.paid('k1-1'), ev.failedOrder('k1-2', 'x', 'X.'), { type: 'CompensationStarted', code: 'x', message: 'X.', at: now } as const, ev.cancelling('k1-1')];

  it('counts no cancel rejection as done, invalid_transition included: an already cancelled order accepts the cancel', () => {
    const message = 'Order k1-1 is already shipped, so it cannot be cancelled.';
    const stuck = given(...compensating).when(cmd.fail('cancel:k1-1', 'invalid_transition', message)).then(ev.failed('cancel:k1-1', 'invalid_transition', message));
    expect(stateOf(stuck).status).toBe('COMPENSATING');
    given(...compensating).when(cmd.ok('cancel:k1-1')).then(ev.succeeded('cancel:k1-1'), { type: 'CheckoutFailed', code: 'x', message: 'X.', at: now });
  });

  it('stops, still compensating, when a cancel fails for another reason', () => {
    const stuck = given(...compensating).when(cmd.fail('cancel:k1-1', 'forbidden', 'No.')).then(ev.failed('cancel:k1-1', 'forbidden', 'No.'));
    expect(stateOf(stuck).status).toBe('COMPENSATING');
    expect(checkoutDecider.process?.effects(stateOf(stuck)).map((effect) => effect.stepId)).toEqual(['place:k1-1', 'place:k1-2']);
  });
});

describe('the retry wake-up timer', () => {
  const due = now + retryMs;
  const completed = [...started, ev.paid('k1-1'), ev.paid('k1-2'), ev.completed(), ev.confirming('k1-1'), ev.confirming('k1-2')];
  const confirmed = [...completed, ev.succeeded('confirm:k1-1'), ev.succeeded('confirm:k1-2')];

  it('is cancelled when the last pending step finishes, even after the checkout ended', () => {
    const one = given(...confirmed).when(cmd.ok('place:k1-1')).then(ev.succeeded('place:k1-1'));
    const both = given(...one).when(cmd.ok('place:k1-2')).then(ev.succeeded('place:k1-2'), ev.timerCancelled('retry-2'));
    expect(stateOf(both).timers).toEqual({});
    expect(checkoutDecider.process?.effects(stateOf(both))).toEqual([]);
  });

  it('keeps waking a completed checkout whose confirm steps are still pending', () => {
    const placed = [...completed, ev.succeeded('place:k1-1'), ev.succeeded('place:k1-2')];
    // Two places done and two confirms pending: progress 6, a new number at the base delay.
    given(...placed).when(cmd.retrySteps('2'), due).then(ev.timerCancelled('retry-2'), ev.retry('6', due));
  });

  it('is kept while cancel steps run, and cancelled when they are done', () => {
    const compensating = [
      ...started,
      ev.succeeded('place:k1-1'),
      ev.succeeded('place:k1-2'),
      ev.paid('k1-1'),
    ];
    const cancelling = given(...compensating)
      .when(cmd.failed('k1-2', 'x', 'X.'))
      .then(ev.failedOrder('k1-2', 'x', 'X.'), { type: 'CompensationStarted', code: 'x', message: 'X.', at: now }, ev.cancelling('k1-1'));
    given(...cancelling)
      .when(cmd.ok('cancel:k1-1'))
      .then(ev.succeeded('cancel:k1-1'), { type: 'CheckoutFailed', code: 'x', message: 'X.', at: now }, ev.timerCancelled('retry-2'));
  });

  it('RetrySteps records nothing when nothing is pending, or before its timer is due', () => {
    given().when(cmd.retrySteps('2'), due).then();
    given(...started).when(cmd.retrySteps('2'), due - 1).then();
    const done = [...confirmed, ev.succeeded('place:k1-1'), ev.succeeded('place:k1-2'), ev.timerCancelled('retry-2')];
    given(...done).when(cmd.retrySteps('2'), due).then();
  });

  it('RetrySteps with steps still pending arms a fresh timer, later each time', () => {
    const once = given(...started).when(cmd.retrySteps('2'), due).then(ev.timerCancelled('retry-2'), ev.retry('2.1', due, 1));
    given(...once).when(cmd.retrySteps('2'), due + 1).then();
    const secondDue = due + 2 * retryMs;
    const twice = given(...once).when(cmd.retrySteps('2.1'), secondDue).then(ev.timerCancelled('retry-2.1'), ev.retry('2.2', secondDue, 2));
    // Progress (a place step answered) starts again from the base delay, under a new number.
    const later = secondDue + 4 * retryMs;
    given(...twice).when(cmd.ok('place:k1-2'), later).then(ev.succeeded('place:k1-2', later), ev.timerCancelled('retry-2.2'), ev.retry('3', later));
    given(...twice, ev.succeeded('place:k1-1'))
      .when(cmd.ok('place:k1-2'), later)
      .then(ev.succeeded('place:k1-2', later), ev.timerCancelled('retry-2.2'));
  });

  it('is re-armed by a settlement that arrives after it fell due: at the base delay, since the settlement finished a place step', () => {
    given(...started).when(cmd.paid('k1-1'), due).then(ev.paid('k1-1', due), ev.succeeded('place:k1-1', due), ev.timerCancelled('retry-2'), ev.retry('3', due));
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
