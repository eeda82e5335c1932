import { describe, expect, it } from 'vitest';
import { checkoutDecider } from './checkout.ts';
import { cancelCommand, cmd, ev, given, now, retryMs, started, stateOf } from './checkout.fixtures.ts';

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
