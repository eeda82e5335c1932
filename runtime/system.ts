/**
 * Wiring: opens the stores the configuration selects, starts the actor runtime with every
 * actor kind registered, and starts the event processor. `npm start`, the crash-test child
 * process and the benchmarks all start Bazaary through here.
 */
import { walletDecider } from '../actors/wallet/wallet.ts';
import { openStores, type Stores } from '../persistence/open-stores.ts';
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

export interface SystemOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly consumers?: readonly Consumer[];
  readonly limits?: Partial<Limits>;
}

export async function startSystem(config: Config, options: SystemOptions) {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidIds;
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
  const processor = new EventProcessor(stores.journal, options.consumers ?? [], limits, options.logger);
  const runtime = new ActorRuntime({
    journal: stores.journal,
    snapshots: stores.snapshots,
    clock,
    limits,
    logger: options.logger,
    onJournaled: () => processor.wake(),
  });
  const wallets = runtime.register(walletDecider);
  processor.start();

  async function stop(): Promise<void> {
    runtime.stop();
    await processor.stop();
    await stores.close();
  }

  return { config, clock, ids, limits, stores, runtime, processor, wallets, stop };
}

export type BazaarySystem = Awaited<ReturnType<typeof startSystem>>;
