/**
 * Wiring: opens the stores the configuration selects, starts the actor runtime with every
 * actor kind registered, the event processor with its consumers (their order is in
 * consumers.ts), the durable timer scheduler and the
 * mail sender, and makes sure the daily analytics job has its timer (issue #6). `npm start`, the
 * crash-test child processes, the simulations and the benchmarks all start Bazaary through here.
 */
import { analyticsActorId, analyticsDecider } from '../../actors/analytics/analytics.ts';
import { createCheckoutDecider } from '../../actors/checkout/checkout.ts';
import { checkoutWaits } from '../../actors/checkout/checkout-waits.ts';
import { createOrderDecider } from '../../actors/order/order.ts';
import { sellerDecider } from '../../actors/seller/seller.ts';
import { walletDecider } from '../../actors/wallet/wallet.ts';
import { MailSender, type MailLimits } from '../mail/sender.ts';
import { createTransport, type MailTransport } from '../mail/transport.ts';
import { openStores, type Stores } from '../../persistence/adapters/open-stores.ts';
import { isTransientFailure } from '../../runtime/ask.ts';
import type { Clock } from '../../runtime/clock.ts';
import { systemClock } from '../../runtime/clock.ts';
import type { Config } from './config.ts';
import type { IdGenerator } from '../../runtime/ids.ts';
import { uuidIds } from '../../runtime/ids.ts';
import { limits as defaultLimits, type Limits } from '../../runtime/limits.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Consumer } from '../../persistence/adapters/consumer.ts';
import { SqlNotificationStore } from '../../persistence/projections/notifications/store.ts';
import { orderedConsumers, type EdgeParts } from './consumers.ts';
import { EventProcessor } from '../../runtime/processor.ts';
import { KnownKeys } from '../../runtime/known-keys.ts';
import { ActorRuntime } from '../../runtime/runtime.ts';
import { TimerIndex } from '../../runtime/timer-index.ts';
import { TimerScheduler } from '../../runtime/timer-scheduler.ts';
import { analyticsKey } from '../../actors/keys.ts';
import { assertLimits, gatewayLimits } from './limits.ts';
import { ClusterNode } from '../../runtime/cluster/cluster-node.ts';
import { clusterSessionTimeouts, ShardLeases } from '../../persistence/adapters/shard-leases.ts';
import { HttpRemoteAsk } from '../cluster/http-remote-ask.ts';
import { HandoffHistory } from '../../runtime/cluster/handoff-history.ts';
import { startInternalEndpoint } from '../cluster/internal-endpoint.ts';

export interface SystemOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** The gateway's parts its consumers feed (search, live notifications, product cache). A
   *  system without a gateway (crash workers, benchmarks, tests) leaves it out, and those
   *  consumers with it. */
  readonly edge?: EdgeParts;
  /** Observers a test or crash worker adds; they run last (consumers.ts). */
  readonly consumers?: readonly Consumer[];
  readonly limits?: Partial<Limits>;
  /** False leaves the timer scheduler and the mail sender stopped, for tests that call
   *  `timers.tick()` and `mail.runOnce()` themselves. */
  readonly pollTimers?: boolean;
  readonly mailLimits?: Partial<MailLimits>;
  /** Replaces the transport SMTP_URL selects (tests inject a failing one). */
  readonly mailTransport?: MailTransport;
  /** Where embedded PGlite runs (open-stores.ts): its own thread by default; tests run it
   *  in-process, which starts in half the time. */
  readonly embedded?: 'worker' | 'in-process';
  /** Cluster mode only: replaces the node's monotonic clock (fault tests model a node whose
   *  timing assumption fails, to show the fence refusing its batch). */
  readonly clusterMonotonicNow?: () => number;
}

export async function startSystem(config: Config, options: SystemOptions) {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidIds;
  const logger = options.logger;
  const limits: Limits = {
    ...defaultLimits,
    snapshotEvery: config.snapshotEvery,
    journalMaxBatch: config.journal.maxBatch,
    passivateAfterMs: config.passivateAfterMs,
    ...options.limits,
  };
  assertLimits({ engine: limits, gateway: gatewayLimits, maxBodyBytes: config.gateway.maxBodyBytes });
  const stores: Stores = await openStores({
    databaseUrl: config.databaseUrl,
    databasePools: config.databasePools,
    mongoUrl: config.mongoUrl,
    mongoDb: config.mongoDb,
    dataDir: config.dataDir,
    journal: config.journal,
    ...(options.embedded === undefined ? {} : { embedded: options.embedded }),
    ...(config.cluster === undefined ? {} : { sessionTimeouts: clusterSessionTimeouts(config.cluster.leaseTtlMs) }),
  });
  // In cluster mode each timer row carries its key's shard, so a node reads only its own shards' timers.
  const timerIndex = new TimerIndex(stores.db, logger, config.cluster?.shardCount);
  const notifications = new SqlNotificationStore(stores.db);
  const mail = new MailSender(stores.db, options.mailTransport ?? createTransport(config.mail, logger), {
    from: config.mail.from,
    clock,
    logger,
    limits: { ...gatewayLimits.mail, ...options.mailLimits },
  });
  const recordAggregation = async (fromDay: number, toDay: number) => {
    const result = await runtime.ask(analyticsKey(analyticsActorId), { type: 'RecordAggregation', fromDay, toDay });
    return result.ok ? { ok: true, transient: false } : { ok: false, code: result.code, transient: isTransientFailure(result) };
  };
  const consumers = orderedConsumers({
    stores,
    timerIndex,
    enqueueMail: (mails) => mail.enqueue(mails),
    recordAggregation,
    processorBatch: limits.processorBatch,
    notifications,
    edge: options.edge,
    observers: options.consumers ?? [],
  });
  const processor = new EventProcessor(stores.journal, consumers, limits, logger, config.cluster !== undefined);
  // Cluster mode (issue #16): this node serves only the shards it leases, and writes every batch
  // under their fence. Off, none of it exists and the runtime runs as a single node.
  const leases = config.cluster === undefined ? undefined : new ShardLeases(stores.db);
  // What the operators' cluster view shows as handoffs: the changes this node's reads saw.
  const handoffs = config.cluster === undefined ? undefined : new HandoffHistory(limits.handoffHistoryMax);
  const cluster =
    config.cluster === undefined || leases === undefined
      ? undefined
      : new ClusterNode({
          node: config.cluster.nodeId,
          address: config.cluster.address,
          shardCount: config.cluster.shardCount,
          leaseTtlMs: config.cluster.leaseTtlMs,
          leases,
          logger,
          onGained: () => void timers.refresh(),
          onLeasesRead: (read) => handoffs?.observe(read, clock.now()),
          ...(options.clusterMonotonicNow === undefined ? {} : { monotonicNow: options.clusterMonotonicNow }),
        });
  // Embedded, this process is the journal's only writer: a key it has never seen is new, and
  // its actor loads with no query once the journal's keys are read (runtime/known-keys.ts).
  const knownKeys = config.databaseUrl === undefined && config.mongoUrl === undefined ? new KnownKeys() : undefined;
  const runtime = new ActorRuntime({
    journal: stores.journal,
    snapshots: stores.snapshots,
    streams: stores.streams,
    clock,
    limits,
    logger,
    // A command for another node's key is forwarded to it (runtime/cluster/forwarding.ts).
    ...(cluster === undefined || config.cluster === undefined
      ? {}
      : { ownership: cluster, forwarding: { directory: cluster, remote: new HttpRemoteAsk(config.cluster.secret) } }),
    ...(knownKeys === undefined ? {} : { knownKeys }),
  });
  // Read in the background: until it is done, every actor loads as before.
  knownKeys?.fill(() => stores.journal.keys('')).catch((error: unknown) => logger.warn({ err: error }, 'reading the journal keys failed; actors keep loading from the store'));
  cluster?.attach(runtime);
  // The tail: every committed batch goes from memory to the consumers (runtime/processor.ts).
  runtime.log.onCommitted((entries) => processor.offer(entries));
  // Timers move with their shard: in cluster mode the scheduler reads only the shards this node
  // serves, reloads when it claims one (onGained above) and drops a lost one's timers.
  const timers =
    cluster === undefined || config.cluster === undefined
      ? new TimerScheduler(stores.db, runtime, clock, limits, logger)
      : new TimerScheduler(stores.db, runtime, clock, limits, logger, {
          shardCount: config.cluster.shardCount,
          ownedShards: () => cluster.ownedShards(),
          servesShard: (shard) => cluster.servesShard(shard),
        });
  timerIndex.onIndexed((changes) => void timers.refresh(changes));

  const wallets = runtime.register(walletDecider);
  const sellers = runtime.register(sellerDecider);
  const orders = runtime.register(createOrderDecider(config.orders));
  const checkouts = runtime.register(createCheckoutDecider({ stepRetryMs: config.orders.stepRetryMs }), checkoutWaits);
  const analytics = runtime.register(analyticsDecider);

  // Other nodes forward commands and reads for this node's keys here (its own port, behind the secret).
  // It listens before the first claim, so no lease names an address that does not answer yet.
  const internal =
    cluster === undefined || config.cluster === undefined
      ? undefined
      : await startInternalEndpoint({
          host: config.gateway.host,
          port: config.cluster.internalPort,
          maxBodyBytes: config.gateway.maxBodyBytes,
          logger,
          ports: {
            secret: config.cluster.secret,
            maxDeadlineMs: limits.askTimeoutMs,
            maxWaitMs: limits.forwardedWaitMaxMs,
            askHere: (key, command, timeoutMs) => runtime.askHere(key, command, timeoutMs),
            inspectHere: (key, timeoutMs) => runtime.inspectHere(key, timeoutMs),
            waitHere: (key, name, timeoutMs) => runtime.waitNamedHere(key, name, timeoutMs),
            refusal: (key) => cluster.refusal(key),
            heldEpochOf: (key) => cluster.heldEpochOf(key),
          },
        });
  // The first round claims this node's shards before anything is asked of the runtime.
  await cluster?.start();
  processor.start();
  if (options.pollTimers !== false) {
    timers.start();
    mail.start();
  }
  // Makes sure the daily job has its timer. Idempotent: a later start with the same cron changes
  // nothing, and a timer that came due while the process was down fires at the first tick (the
  // catch-up). A failure is logged, not fatal: the next start schedules it.
  const started = await analytics.ask(analyticsActorId, { type: 'StartAnalytics', commandId: `start:${clock.now()}`, cron: config.analytics.cron });
  // In cluster mode the analytics actor lives on one node; the others forward this ask there.
  if (!started.ok && started.code === 'not_owner') logger.info('the daily analytics job is scheduled by the node that serves its actor');
  else if (!started.ok) logger.error({ code: started.code, message: started.message }, 'the daily analytics job could not be scheduled');

  async function stop(): Promise<void> {
    await mail.stop();
    await timers.stop();
    // Hands every shard off: no more commands, everything written, leases released, node gone.
    await cluster?.stop().catch((error: unknown) => logger.error({ err: error }, 'handing off the shards failed; they move when their leases expire'));
    // After the handoff: meanwhile forwards were answered 421 and found the next owner.
    internal?.close();
    await runtime.flush();
    runtime.stop();
    await runtime.flush();
    await processor.stop();
    await stores.close();
  }

  return { config, clock, ids, limits, logger, stores, notifications, runtime, cluster, clusterTables: leases, handoffs, internal, processor, timers, wallets, sellers, orders, checkouts, analytics, mail, stop };
}

export type BazaarySystem = Awaited<ReturnType<typeof startSystem>>;
