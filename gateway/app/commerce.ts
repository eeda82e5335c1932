/**
 * Application commands that span actors and wait for their outcome. The gateway (through the
 * command port), the simulations and the benchmarks call these instead of talking to the saga
 * actors directly.
 */
import type { CheckoutState } from '../../actors/checkout/checkout-messages.ts';
import type { Failure } from '../../runtime/ask.ts';
import type { CheckoutRefused, CheckoutRequest, CheckoutSucceeded, CommandPort } from '../ports.ts';
import type { BazaarySystem } from './system.ts';
import type { EntityKind } from '../../runtime/runtime.ts';
import { readModelConsumerName } from '../../persistence/projections/readmodels/consumer.ts';

export type { CheckoutRefused, CheckoutRequest, CheckoutSucceeded } from '../ports.ts';

/** The failed checkout's reason, with the orders it placed (each one compensated, none kept). */
function refused(state: CheckoutState): CheckoutRefused {
  const reason = state.failure ?? { code: 'checkout_failed', message: 'the checkout could not be completed' };
  return { ok: false, code: reason.code, message: reason.message, orderIds: state.orders.map((order) => order.orderId) };
}

/**
 * Starts (or re-addresses) a checkout and waits until every order is PAID or the whole cart is
 * compensated. A `timeout` Failure means the saga is still running: retrying with the same
 * checkoutId waits for the same saga and never places the orders twice.
 */
export async function checkout(
  system: Pick<BazaarySystem, 'checkouts'>,
  request: CheckoutRequest,
  timeoutMs: number,
): Promise<CheckoutSucceeded | CheckoutRefused | Failure> {
  const started = await system.checkouts.ask(request.checkoutId, { type: 'StartCheckout', ...request }, timeoutMs);
  if (!started.ok) return started;
  // By name (actors/checkout/checkout-waits.ts): in cluster mode the wait runs at the node that
  // owns the checkout, whichever node took the request.
  const outcome = await system.checkouts.waitFor(request.checkoutId, 'settled', timeoutMs);
  if (!outcome.ok) return outcome;
  const state = outcome.state;
  if (state.status === 'COMPLETED') {
    return { ok: true, checkoutId: request.checkoutId, orderIds: state.orders.map((order) => order.orderId) };
  }
  return refused(state);
}

/**
 * How long a reply that changed something waits for the read models to show it. Answers leave
 * once durable, and the read models follow a moment later (runtime/processor.ts); a client that
 * reads right after its own write (the order page after a checkout) must find it. Past this the
 * reply goes anyway: the read models are behind, and the write is durable.
 */
const readYourWritesMs = 2_000;

/** The gateway's command port over a running system; a checkout waits at most `checkoutWaitMs`. */
export function createCommandPort(system: BazaarySystem, checkoutWaitMs: number): CommandPort {
  const readModelsCaughtUp = () => system.processor.caughtUp(readModelConsumerName, readYourWritesMs);
  function readingOwnWrites<S, C, E>(kind: EntityKind<S, C, E>): EntityKind<S, C, E> {
    return {
      ...kind,
      ask: async (id, command, timeoutMs) => {
        const result = await kind.ask(id, command, timeoutMs);
        if (result.ok && result.events.length > 0) await readModelsCaughtUp();
        return result;
      },
    };
  }
  return {
    wallets: readingOwnWrites(system.wallets),
    sellers: readingOwnWrites(system.sellers),
    orders: readingOwnWrites(system.orders),
    checkout: async (request) => {
      const result = await checkout(system, request, checkoutWaitMs);
      if (result.ok) await readModelsCaughtUp();
      return result;
    },
  };
}
