/**
 * Chooses the parts that span gateway processes (issue #6): with REDIS_URL, the Redis login
 * and registration limiters, notification hub, product cache and session cache over one link; without it, their in-process
 * versions (the embedded mode). Each Redis part falls back to local behaviour by itself while
 * Redis is unreachable, so nothing here can stop the gateway from serving.
 */
import type { Clock } from '../../runtime/clock.ts';
import type { GatewayConfig } from '../app/config.ts';
import type { Logger } from '../../runtime/logger.ts';
import { InProcessRateLimiter } from '../auth/rate-limit.ts';
import type { ProductCache, RateLimiter, RedisHealth } from '../context.ts';
import { InProcessHub } from '../notifications/hub.ts';
import { RedisHub } from './hub.ts';
import { RedisLink } from './link.ts';
import { InProcessProductCache } from './local-product-cache.ts';
import { RedisRateLimiter } from './rate-limiter.ts';
import { RedisProductCache } from './redis-product-cache.ts';
import { RedisSessionCache } from './redis-session-cache.ts';
import { InProcessSessionCache, type SessionCache } from '../auth/session-cache.ts';
import { gatewayLimits } from '../app/limits.ts';

export interface BusParts {
  readonly loginLimiter: RateLimiter;
  readonly registerLimiter: RateLimiter;
  readonly sessionCache: SessionCache;
  readonly hub: InProcessHub;
  readonly productCache: ProductCache;
  /** Undefined in the embedded mode. */
  readonly redis: RedisHealth | undefined;
  close(): Promise<void>;
}

export interface BusOptions {
  readonly config: Pick<GatewayConfig, 'redisUrl' | 'productCacheTtlMs' | 'registrationsPerHour' | 'loginsPerMinute'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Prepended to every Redis key and channel; tests use a fresh one per run. */
  readonly redisPrefix?: string;
}

/** PRODUCT_CACHE_TTL=0: every read goes to the read model. */
const noProductCache: ProductCache = {
  read: (_productId, load) => load(),
  invalidate: async () => {},
};

export async function openBus(options: BusOptions): Promise<BusParts> {
  const { config, clock, logger } = options;
  const ttlMs = config.productCacheTtlMs;
  if (config.redisUrl === undefined) {
    return {
      loginLimiter: new InProcessRateLimiter(config.loginsPerMinute, gatewayLimits.rate.loginWindowMs, clock),
      registerLimiter: new InProcessRateLimiter(config.registrationsPerHour, gatewayLimits.rate.registerWindowMs, clock),
      sessionCache: new InProcessSessionCache(gatewayLimits.sessions.cacheTtlMs, clock),
      hub: new InProcessHub(),
      productCache: ttlMs > 0 ? new InProcessProductCache(ttlMs, clock) : noProductCache,
      redis: undefined,
      close: async () => {},
    };
  }
  const link = new RedisLink(config.redisUrl, options.redisPrefix ?? 'bazaary:', logger);
  const hub = await RedisHub.open(link);
  const sessionCache = await RedisSessionCache.open(link, gatewayLimits.sessions.cacheTtlMs);
  await link.waitUntilReady();
  return {
    loginLimiter: new RedisRateLimiter(link, config.loginsPerMinute, gatewayLimits.rate.loginWindowMs, clock),
    registerLimiter: new RedisRateLimiter(link, config.registrationsPerHour, gatewayLimits.rate.registerWindowMs, clock),
    sessionCache,
    hub,
    productCache: ttlMs > 0 ? new RedisProductCache(link, ttlMs) : noProductCache,
    redis: link,
    close: () => link.close(),
  };
}
