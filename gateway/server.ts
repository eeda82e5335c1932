/**
 * Starts Bazaary with its gateway: the actor system with the edge's parts its consumers feed,
 * the search index and blob store the configuration selects, auth, the route table, static
 * storefront files and the uWebSockets.js server. `npm start`, the integration tests and the
 * benchmarks all start the gateway through here.
 */
import { join } from 'node:path';
import { LocalBlobStore } from '../persistence/adapters/blobs/local-blob-store.ts';
import { S3BlobStore } from '../persistence/adapters/blobs/s3-blob-store.ts';
import type { BlobStore } from '../persistence/adapters/blobs/blob-store.ts';
import { MeiliSearchIndex } from '../persistence/adapters/search/meili-index.ts';
import { MiniSearchIndex } from '../persistence/adapters/search/minisearch-index.ts';
import type { SearchIndex } from '../persistence/adapters/search/search-index.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import type { Config } from './app/config.ts';
import { uuidIds, type IdGenerator } from '../runtime/ids.ts';
import type { Limits } from '../runtime/limits.ts';
import type { Logger } from '../runtime/logger.ts';
import { startSystem } from './app/system.ts';
import { createGatewayPorts } from './app/ports.ts';
import { ProductOwners } from '../persistence/projections/cache/product-owners.ts';
import { createAuth } from './auth/auth.ts';
import type { GatewayContext, RedisHealth } from './context.ts';
import { PrometheusMetrics } from './metrics.ts';
import type { InProcessHub } from './notifications/hub.ts';
import { openBus } from './redis/bus.ts';
import { Router, authenticate, siteOrigins } from './router.ts';
import { upgradeRefusal } from './browser-guard.ts';
import { errorResponse } from './http.ts';
import { allRoutes } from './routes/all.ts';
import { reindexAll } from '../persistence/projections/search/search-consumer.ts';
import { createStaticFiles } from './static.ts';
import { nativeBinary, startUwsServer } from './uws.ts';
import { trustedProxies } from './client-address.ts';
import { createWsSessionFactory } from './ws/session.ts';
import { gatewayLimits } from './app/limits.ts';
import { forwardGauges } from './cluster/forward-metrics.ts';

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly limits?: Partial<Limits>;
  readonly pollTimers?: boolean;
  /** Prepended to every Redis key and channel (default `bazaary:`); tests use a fresh one per run. */
  readonly redisPrefix?: string;
  /** Where embedded PGlite runs (SystemOptions.embedded). */
  readonly embedded?: 'worker' | 'in-process';
}

async function openSearch(config: Config): Promise<SearchIndex> {
  const meili = config.gateway.meili;
  if (meili === undefined) return new MiniSearchIndex();
  return MeiliSearchIndex.open({ host: meili.url, apiKey: meili.key ?? '', indexUid: 'products' });
}

async function openBlobs(config: Config): Promise<BlobStore> {
  const s3 = config.gateway.s3;
  if (s3 !== undefined) return S3BlobStore.open(s3);
  return LocalBlobStore.open({ directory: join(config.dataDir, 'blobs'), publicPath: '/media/' });
}

export async function startGateway(options: GatewayOptions) {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidIds;
  const search = await openSearch(config);
  const blobs = await openBlobs(config);
  const bus = await openBus({ config: config.gateway, clock, logger, ...(options.redisPrefix === undefined ? {} : { redisPrefix: options.redisPrefix }) });
  const { hub, productCache } = bus;
  const productOwners = new ProductOwners(gatewayLimits.productOwners.maxEntries);
  const system = await startSystem(config, {
    logger,
    clock,
    ids,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.pollTimers === undefined ? {} : { pollTimers: options.pollTimers }),
    ...(options.embedded === undefined ? {} : { embedded: options.embedded }),
    edge: { search, hub, productCache, productOwners },
  });
  const { notifications } = system;
  const db = system.stores.gatewayDb;
  if (config.gateway.meili === undefined) await reindexAll(db, search);
  const auth = await createAuth({ db, config, clock, ids, loginLimiter: bus.loginLimiter, registerLimiter: bus.registerLimiter, sessionCache: bus.sessionCache });
  const metrics = new PrometheusMetrics(() => runtimeGauges(system, hub, bus.redis));
  const context: GatewayContext = {
    ...createGatewayPorts(system, productOwners), config: config.gateway, clock, ids, logger, search, blobs, ...auth, notifications, hub, metrics, productCache,
    ...(bus.redis === undefined ? {} : { redis: bus.redis }),
  };
  const router = new Router(allRoutes());
  const staticFiles = createStaticFiles(config.gateway.storefrontDir);

  const server = await startUwsServer({
    host: config.gateway.host,
    port: config.gateway.port,
    maxBodyBytes: config.gateway.maxBodyBytes,
    corsOrigins: config.gateway.corsOrigins,
    logger,
    trustedProxies: trustedProxies(config.gateway.trustedProxies),
    bodyLimitFor: (method, path) => {
      // Only uploads raise the cap, and none is a GET: reads skip this second route lookup.
      if (method === 'GET' || method === 'HEAD') return config.gateway.maxBodyBytes;
      const matched = router.match(method, path);
      return (matched.found ? matched.route.maxBodyBytes : undefined) ?? config.gateway.maxBodyBytes;
    },
    dispatch: async (request) => {
      const startedAt = performance.now();
      // One route lookup per request: an unmatched GET is a storefront page or file.
      let { response, route } = await router.dispatch(request, context);
      if (route === 'unmatched' && response.status === 404 && (request.method === 'GET' || request.method === 'HEAD')) {
        ({ response, route } = { response: await staticFiles(request.path), route: 'static' });
      }
      metrics.observeRequest(route, request.method, response.status, performance.now() - startedAt);
      return response;
    },
    ws: {
      path: '/ws',
      admit: async (headers) => {
        // A cookie upgrade from a foreign page would run commands as its victim (cross-site WebSocket hijacking).
        const refusal = upgradeRefusal(headers, siteOrigins(context));
        if (refusal !== null) return { ok: false, ...refusal };
        const principal = await authenticate(headers, context);
        return principal === null ? { ok: false, status: 401, code: 'unauthenticated', message: 'Sign in to open a socket.' } : { ok: true, principal };
      },
      factory: createWsSessionFactory(context, router, hub),
      maxBackpressureBytes: gatewayLimits.ws.maxBackpressureBytes,
      maxPayloadBytes: gatewayLimits.ws.maxPayloadBytes,
    },
  });
  const metricsServer = config.gateway.metricsPort === undefined ? undefined : await startMetricsServer(config, logger, metrics);
  const url = config.gateway.publicUrl ?? `http://localhost:${server.port}`;
  logger.info({ url, uws: nativeBinary() }, 'gateway listening');

  async function stop(): Promise<void> {
    server.close();
    metricsServer?.close();
    await context.replies.flush();
    await system.stop();
    await bus.close();
    await search.close();
    await blobs.close();
  }

  return { url, port: server.port, metricsPort: metricsServer?.port, context, system, router, stop };
}

/** The separate metrics port (METRICS_PORT): `/metrics` only, no auth, for a private network. */
function startMetricsServer(config: Config, logger: Logger, metrics: PrometheusMetrics) {
  return startUwsServer({
    host: config.gateway.host,
    port: config.gateway.metricsPort ?? 0,
    maxBodyBytes: 1_024,
    corsOrigins: [],
    logger,
    bodyLimitFor: () => 1_024,
    dispatch: async (request) =>
      request.path === '/metrics' && (request.method === 'GET' || request.method === 'HEAD')
        ? { status: 200, body: { kind: 'text', text: metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' } }
        : errorResponse(404, 'not_found', 'this port serves /metrics only'),
  });
}

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** Cluster mode only (issue #16); a single node exports none of these. */
function clusterGauges(system: Awaited<ReturnType<typeof startSystem>>) {
  const cluster = system.cluster;
  if (cluster === undefined) return {};
  const stats = cluster.stats();
  return {
    bazaary_cluster_shards_owned: { help: 'Shards this node leases and may serve now.', value: stats.shardsOwned },
    bazaary_cluster_lease_renew_seconds: { help: 'How long the latest lease renewal (with its heartbeat) took.', value: (stats.lastRenewMs ?? 0) / 1000 },
    bazaary_cluster_fenced_batches_total: { help: 'Journal batches refused because this node no longer leased a shard they wrote.', value: system.runtime.log.stats().fencedBatches },
    bazaary_cluster_shard_claims_total: { help: 'Shard leases this node claimed.', value: stats.claims },
    bazaary_cluster_shard_losses_total: { help: 'Shard leases a renewal found lost (taken over or expired).', value: stats.losses },
    bazaary_cluster_owner_pushes_total: { help: 'Shard ownership changes of other nodes pushed to this node (LISTEN/NOTIFY), each re-reading its owner cache or running a round at once.', value: stats.ownerPushes },
    ...forwardGauges(system.runtime.forwardStats()),
  };
}

function runtimeGauges(system: Awaited<ReturnType<typeof startSystem>>, hub: InProcessHub, redis: RedisHealth | undefined) {
  const residents = system.runtime.list();
  const saga = system.runtime.sagaStats();
  const log = system.runtime.log.stats();
  return {
    bazaary_actors_resident: { help: 'Actors in memory.', value: residents.length },
    bazaary_mailbox_depth: { help: 'Messages waiting over all resident actors.', value: residents.reduce((sum, actor) => sum + actor.mailboxDepth, 0) },
    bazaary_saga_effects_in_flight: { help: 'Cross-actor saga steps running.', value: saga.effectsInFlight },
    bazaary_journal_batches_total: { help: 'Commit-log batches written.', value: log.batches },
    bazaary_journal_entries_total: { help: 'Journal entries (and guards) written in batches.', value: log.entries },
    bazaary_journal_largest_batch: { help: 'Largest commit-log batch so far.', value: log.largestBatch },
    bazaary_journal_queued: { help: 'Entries handed to the commit log and not yet written.', value: log.queued },
    bazaary_journal_failed_batches_total: { help: 'Batches the store refused or failed; their actors reloaded.', value: log.failedBatches },
    bazaary_consumer_lag: {
      help: 'Committed journal entries a consumer has not handled yet.',
      value: system.processor.lags().map(({ consumer, lag }) => ({ labels: { consumer }, value: lag })),
    },
    bazaary_ws_connections: { help: 'Open WebSocket connections.', value: hub.connections() },
    ...clusterGauges(system),
    ...(redis === undefined ? {} : { bazaary_redis_up: { help: 'Redis reachable (1) or degraded to local fallbacks (0).', value: redis.status() === 'ok' ? 1 : 0 } }),
  };
}
