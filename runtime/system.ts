/**
 * Wiring: opens the stores the configuration selects, starts the actor runtime with every
 * actor kind registered, the event processor (timer index first, then the read models and any
 * extra consumers) and the durable timer scheduler. `npm start`, the crash-test child processes,
 * the simulations and the benchmarks all start Bazaary through here.
 */
import { createCheckoutDecider } from '../actors/checkout/checkout.ts';
import { createOrderDecider } from '../actors/order/order.ts';
import { sellerDecider } from '../actors/seller/seller.ts';
import { walletDecider } from '../actors/wallet/wallet.ts';
import { openStores, type Stores } from '../persistence/open-stores.ts';
import { createReadModelConsumer } from '../persistence/readmodels/consumer.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { IdGenerator } from './ids.ts';
import { uuidIds } from './ids.ts';
import { limits as defaultLimits, type Limits } from './limits.ts';
import type { Logger } from './logger.ts';
import type { Consumer } from './processor.ts';
import { EventProcessor } from './processor.ts';
import { ActorRuntime } from './runtime.ts';
import { TimerIndex } from './timer-index.ts';
import { TimerScheduler } from './timer-scheduler.ts';

export interface SystemOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Extra event consumers; a function receives the opened stores (for consumers that write SQL). */
  readonly consumers?: readonly Consumer[] | ((stores: Stores) => readonly Consumer[]);
  readonly limits?: Partial<Limits>;
  /** False leaves the timer scheduler stopped, for tests that call `timers.tick()` themselves. */
  readonly pollTimers?: boolean;
}

export async function startSystem(config: Config, options: SystemOptions) {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidIds;
  const logger = options.logger;
  const limits: Limits = {
    ...defaultLimits,
    snapshotEvery: config.snapshotEvery,
    passivateAfterMs: config.passivateAfterMs,
    ...options.limits,
  };
  const stores: Stores = await openStores({
    databaseUrl: config.databaseUrl,
    mongoUrl: config.mongoUrl,
    mongoDb: config.mongoDb,
    dataDir: config.dataDir,
    journal: config.journal,
  });
  const timerIndex = new TimerIndex(stores.db, logger);
  const extraConsumers = typeof options.consumers === 'function' ? options.consumers(stores) : (options.consumers ?? []);
  const consumers: Consumer[] = [timerIndex, createReadModelConsumer(stores.db), ...extraConsumers];
  const processor = new EventProcessor(stores.journal, consumers, limits, logger);
  const runtime = new ActorRuntime({
    journal: stores.journal,
    snapshots: stores.snapshots,
    clock,
    limits,
    logger,
    onJournaled: () => processor.wake(),
  });
  const timers = new TimerScheduler(stores.db, runtime, clock, limits, logger);
  timerIndex.onIndexed((changes) => void timers.refresh(changes));

  const wallets = runtime.register(walletDecider);
  const sellers = runtime.register(sellerDecider);
  const orders = runtime.register(createOrderDecider(config.orders));
  const checkouts = runtime.register(createCheckoutDecider({ stepRetryMs: config.orders.stepRetryMs }));

  processor.start();
  if (options.pollTimers !== false) timers.start();

  async function stop(): Promise<void> {
    await timers.stop();
    runtime.stop();
    await processor.stop();
    await stores.close();
  }

  return { config, clock, ids, limits, logger, stores, runtime, processor, timers, wallets, sellers, orders, checkouts, stop };
}

export type BazaarySystem = Awaited<ReturnType<typeof startSystem>>;
