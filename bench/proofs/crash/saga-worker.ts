/**
 * The child process of the saga crash test (saga-crash.test.ts). It starts the real system on a
 * data dir with the system clock and short windows (saga-world.ts), and plays the marketplace's
 * people: buyers check out multi-seller carts (some they cannot afford, some with scarce stock,
 * so that parts fail and are compensated), sellers ship or cancel, buyers confirm or dispute,
 * an admin resolves disputes; orders left alone are expired (ship-by) or auto-released by timers.
 * It reports on stdout, one JSON line each (SagaLine), written before it goes on.
 *
 * After a kill nobody retries for the dead client: the next run does not re-send checkouts or
 * actions of earlier runs. Every saga cut short must be resumed by the system itself (the event
 * processor drains, the timers reload, retry wake-ups re-run pending steps). The one thing a
 * person still owes is the resolution of an open dispute, which the admin gives when it finds
 * one with no saga running (`resolveOwedDisputes`); that message goes only to an order with no
 * step pending, so it never stands in for the system's own wake-up.
 *
 * Modes: `run` plays cycle N's flows (generated from (seed, N) alone) and then idles with its
 * timers firing until the test kills it; `finish` plays nothing and waits, resolving owed
 * disputes, until every saga has finished (or `finishDeadlineMs` passed), then drains the event
 * processor and stops cleanly.
 *
 * Run: node --import tsx bench/proofs/crash/saga-worker.ts --data-dir DIR --seed N --cycle N [--mode run|finish] [--kill-inflight N]
 */
import { parseArgs } from 'node:util';
import { armInflightKill } from './inflight-kill.ts';
import { pino } from 'pino';
import type { Actor, OrderCommand } from '../../../actors/order/order-messages.ts';
import { isTransientFailure } from '../../../runtime/ask.ts';
import { checkout } from '../../../gateway/app/commerce.ts';
import { seededRandom } from '../../../actors/testing/seeded-random.ts';
import type { Consumer } from '../../../persistence/adapters/consumer.ts';
import { startSystem, type BazaarySystem } from '../../../gateway/app/system.ts';
import { readWorld, unsettledSagas, type World } from './saga-ledger.ts';
import { writeJsonLine } from './stdout-line.ts';
import { observedEvents, sagaConfig, sagaLimits, type Action, type ObservedEvent, type SagaLine } from './saga-world.ts';
import { admin, buyers, flowsOf, isSetUp, notYet, productsOf, sellerIds, workload, type Flow, type Plan } from './saga-workload.ts';

/** Every line is out before the worker goes on (stdout-line.ts says why). */
const write: (line: SagaLine) => void = writeJsonLine;

/** Reports saga events as the event processor sees them, so the test can kill inside those sagas. */
function observer(): Consumer {
  const observed: ReadonlySet<string> = new Set(observedEvents);
  return {
    name: 'saga-crash-observer',
    handle(entries) {
      for (const entry of entries) {
        for (const event of entry.events as readonly { type?: unknown }[]) {
          if (typeof event.type === 'string' && observed.has(event.type)) {
            write({ t: 'saga', key: entry.key, event: event.type as ObservedEvent });
          }
        }
      }
      return Promise.resolve();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// The people

class People {
  private readonly pauseRandom: () => number;

  constructor(
    private readonly system: BazaarySystem,
    seed: number,
    cycle: number,
  ) {
    this.pauseRandom = seededRandom((seed * 7_919 + cycle * 104_729) >>> 0);
  }

  /**
   * Sellers, products and funded buyers. Every command has a fixed id, so every run repeats them
   * harmlessly; they are sent all at once (each actor's mailbox keeps its own in order).
   */
  async setUp(): Promise<void> {
    const { sellers, wallets } = this.system;
    const sellerSetUps = sellerIds().map(async (sellerId) => {
      const register = { type: 'RegisterSeller', commandId: 'register', name: sellerId, email: `${sellerId}@example.test` } as const;
      await this.must(() => sellers.ask(sellerId, register, workload.actionTimeoutMs), `register ${sellerId}`);
      await Promise.all(
        productsOf(sellerId).map(({ productId, priceMinor, stock }) => {
          const fields = { title: productId, description: '', priceMinor, stock, category: 'crash' };
          const create = { type: 'CreateProduct', commandId: `create-${productId}`, productId, fields } as const;
          return this.must(() => sellers.ask(sellerId, create, workload.actionTimeoutMs), `create ${productId}`);
        }),
      );
    });
    const funding = buyers().map(({ buyerId, fundsMinor }) =>
      this.must(() => wallets.ask(buyerId, { type: 'Deposit', commandId: 'fund', amountMinor: fundsMinor }, workload.actionTimeoutMs), `fund ${buyerId}`),
    );
    await Promise.all([...sellerSetUps, ...funding]);
  }

  /** Asks until accepted, retrying transient failures; any rejection is a bug in the set-up. */
  private async must(ask: () => Promise<{ ok: boolean; code?: string; message?: string }>, what: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await ask();
      if (answer.ok) return;
      if (!isTransientFailure(answer) || attempt >= workload.actionAttemptsMax) throw new Error(`${what} failed: ${answer.code}: ${answer.message}`);
      await sleep(100 * attempt);
    }
  }

  async runAll(flows: readonly Flow[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      for (let index = next; index < flows.length; index = next) {
        next += 1;
        const flow = flows[index];
        if (flow !== undefined) await this.runFlow(flow);
      }
    };
    await Promise.all(Array.from({ length: workload.concurrency }, lane));
  }

  private async runFlow(flow: Flow): Promise<void> {
    if (flow.topUpMinor !== null) {
      await this.system.wallets.ask(flow.buyerId, { type: 'Deposit', commandId: `top-up-${flow.checkoutId}`, amountMinor: flow.topUpMinor });
    }
    write({ t: 'checkout-send', id: flow.checkoutId });
    const result = await checkout(this.system, { checkoutId: flow.checkoutId, buyerId: flow.buyerId, lines: flow.lines }, workload.checkoutTimeoutMs);
    if (!result.ok) {
      write({ t: 'checkout', id: flow.checkoutId, ok: false, code: result.code, final: !isTransientFailure(result) });
      return;
    }
    write({ t: 'checkout', id: flow.checkoutId, ok: true, orderIds: result.orderIds });
    await Promise.all(
      result.orderIds.map((orderId, index) => {
        const plan = flow.plans[index];
        const sellerId = [...new Set(flow.lines.map((line) => line.sellerId))].sort()[index];
        if (plan === undefined || sellerId === undefined) throw new Error(`flow ${flow.checkoutId} has no plan for order ${orderId}`);
        return this.followUp(orderId, flow.buyerId, sellerId, plan.plan, plan.shipFirst);
      }),
    );
  }

  /** The people's side of one paid order; each action stops the plan when it is refused. */
  private async followUp(orderId: string, buyerId: string, sellerId: string, plan: Plan, shipFirst: boolean): Promise<void> {
    const buyer: Actor = { role: 'BUYER', userId: buyerId };
    const seller: Actor = { role: 'SELLER', userId: sellerId };
    const ship: OrderCommand = { type: 'ShipOrder', commandId: 'ship', by: seller };
    const dispute: OrderCommand = { type: 'OpenDispute', commandId: 'dispute', by: buyer, reason: 'not as described' };
    const resolve = (resolution: 'refund' | 'release'): OrderCommand => ({ type: 'ResolveDispute', commandId: 'resolve', by: admin, resolution });
    const steps: [Action, OrderCommand][] = [];
    switch (plan) {
      case 'confirm':
        steps.push(['ship', ship], ['confirm', { type: 'ConfirmDelivery', commandId: 'confirm', by: buyer }]);
        break;
      case 'auto-release':
        steps.push(['ship', ship]);
        break;
      case 'expire':
        break;
      case 'seller-cancel':
        steps.push(['seller-cancel', { type: 'CancelOrder', commandId: 'cancel', by: seller, reason: 'seller_cancelled' }]);
        break;
      case 'admin-cancel':
        steps.push(['ship', ship], ['admin-cancel', { type: 'CancelOrder', commandId: 'cancel', by: admin, reason: 'admin_cancelled' }]);
        break;
      case 'dispute-refund':
      case 'dispute-release':
      case 'dispute-owed':
        if (shipFirst) steps.push(['ship', ship]);
        steps.push(['dispute', dispute]);
        if (plan !== 'dispute-owed') steps.push(['resolve', resolve(plan === 'dispute-refund' ? 'refund' : 'release')]);
        break;
      default:
        plan satisfies never;
    }
    for (const [action, command] of steps) {
      await sleep(Math.floor(this.pauseRandom() * workload.actionPauseMaxMs));
      if (!(await this.act(orderId, action, command))) return;
    }
  }

  /** Sends one action until it gets an answer; true when it was accepted. */
  async act(orderId: string, action: Action, command: OrderCommand): Promise<boolean> {
    for (let attempt = 1; attempt <= workload.actionAttemptsMax; attempt += 1) {
      const result = await this.system.orders.ask(orderId, command, workload.actionTimeoutMs);
      // A person told "not yet" (the checkout gate: the rest of the cart is still being paid)
      // tries again a moment later, like one told the service is busy.
      const tryAgain = !result.ok && (isTransientFailure(result) || result.code === notYet);
      if (!tryAgain) {
        write({ t: 'action', orderId, action, ok: result.ok, code: result.ok ? null : result.code });
        return result.ok;
      }
      await sleep(150 * attempt);
    }
    write({ t: 'action', orderId, action, ok: false, code: 'gave_up' });
    return false;
  }

  /**
   * The admin resolves every dispute left open by a flow that walked away (or was killed) and
   * has no step pending. The resolution follows from the order id, so every run picks the same.
   */
  async resolveOwedDisputes(world: World): Promise<number> {
    let resolved = 0;
    for (const [orderId, order] of world.orders) {
      if (order.status !== 'DISPUTED' || order.saga !== null) continue;
      if (Object.values(order.steps).some((step) => step.status === 'PENDING')) continue;
      const resolution = [...orderId].reduce((sum, char) => sum + char.charCodeAt(0), 0) % 2 === 0 ? 'refund' : 'release';
      const command: OrderCommand = { type: 'ResolveDispute', commandId: 'resolve', by: admin, resolution };
      if (await this.act(orderId, 'resolve', command)) resolved += 1;
    }
    return resolved;
  }
}

// ---------------------------------------------------------------------------------------------

async function run(system: BazaarySystem, people: People, seed: number, cycle: number): Promise<void> {
  const startedAt = performance.now();
  const world = await readWorld(system.stores.journal);
  // A run killed during the set-up left it unfinished; the next run completes it.
  if (!isSetUp(world)) await people.setUp();
  const setUpMs = Math.round(performance.now() - startedAt);
  write({ t: 'owed', resolved: await people.resolveOwedDisputes(world) });
  write({ t: 'set-up', setUpMs, owedMs: Math.round(performance.now() - startedAt) - setUpMs });
  const flows = flowsOf(seed, cycle);
  const flowsStartedAt = performance.now();
  await people.runAll(flows);
  write({ t: 'flows-done', flows: flows.length, ms: Math.round(performance.now() - flowsStartedAt) });
  // Idle with the timers firing until the test kills this process.
  await new Promise<never>(() => setInterval(() => {}, 60_000));
}

async function finish(system: BazaarySystem, people: People): Promise<void> {
  const startedAt = performance.now();
  let resolved = 0;
  for (;;) {
    const world = await readWorld(system.stores.journal);
    resolved += await people.resolveOwedDisputes(world);
    // Strict: with the test's short windows, nobody is left waiting for a timer.
    const unsettled = unsettledSagas(world, Number.POSITIVE_INFINITY);
    const waitedMs = Math.round(performance.now() - startedAt);
    if (unsettled.length === 0 || waitedMs >= workload.finishDeadlineMs) {
      write({ t: 'owed', resolved });
      write({ t: 'settled', atMs: system.clock.now(), waitedMs, orders: world.orders.size, checkouts: world.checkouts.size, unsettled });
      await drain(system);
      return;
    }
    write({ t: 'waiting', waitedMs, unsettled: unsettled.length, sample: unsettled.slice(0, 3) });
    await sleep(workload.finishPollMs);
  }
}

/**
 * Processes whatever the journal holds that the event processor has not, and reports whether it
 * could: a consumer that keeps failing lags alone, but the drain (and the consumers that follow it) waits for it.
 */
async function drain(system: BazaarySystem): Promise<void> {
  const startedAt = performance.now();
  let error: string | null = null;
  try {
    await system.processor.drain();
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  write({ t: 'drained', ms: Math.round(performance.now() - startedAt), error });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      cycle: { type: 'string' },
      mode: { type: 'string', default: 'run' },
      'kill-inflight': { type: 'string' },
    },
  });
  const dataDir = values['data-dir'];
  const seed = Number(values.seed);
  const cycle = Number(values.cycle);
  const mode = values.mode;
  if (dataDir === undefined || !Number.isSafeInteger(seed) || !Number.isSafeInteger(cycle) || cycle < 0) {
    throw new Error('usage: saga-worker.ts --data-dir DIR --seed N --cycle N [--mode run|finish]');
  }
  if (mode !== 'run' && mode !== 'finish') throw new Error(`--mode must be run or finish, not ${mode}`);

  // Logs go to stderr: stdout carries only the line protocol.
  const logger = pino({ name: 'saga-worker', level: 'warn' }, pino.destination({ dest: 2, sync: true }));
  const startedAt = performance.now();
  const config = sagaConfig(dataDir, process.env['DATABASE_URL']);
  const system = await startSystem(config, { logger, consumers: [observer()], limits: sagaLimits });
  write({ t: 'ready', cycle, mode, startMs: Math.round(performance.now() - startedAt) });
  if (values['kill-inflight'] !== undefined) armInflightKill(system, Number(values['kill-inflight']), write);
  const people = new People(system, seed, cycle);
  if (mode === 'run') await run(system, people, seed, cycle);
  else await finish(system, people);
  await system.stop();
  write({ t: 'done' });
}

main().catch((error: unknown) => {
  process.stderr.write(`saga-worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
