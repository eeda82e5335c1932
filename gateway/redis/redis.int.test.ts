/**
 * The Redis adapters (login limiter, notification hub, product cache) against the same contract
 * suites as the in-process ones, on the machine's real Redis (REDIS_URL). Every run uses its own
 * key prefix and deletes its keys afterwards, since other suites share this Redis.
 */
import { afterAll, describe } from 'vitest';
import { silentLogger } from '../../runtime/logger.ts';
import { describeHubContract } from './hub.contract.ts';
import { RedisHub } from './hub.ts';
import { RedisLink } from './link.ts';
import { describeProductCacheContract } from './product-cache.contract.ts';
import { describeRateLimiterContract } from './rate-limiter.contract.ts';
import { RedisRateLimiter } from './rate-limiter.ts';
import { RedisProductCache } from './redis-product-cache.ts';
import { deleteKeys, freshPrefix } from './testing/redis-keys.ts';

const redisUrl = process.env['REDIS_URL'] ?? '';
if (redisUrl === '') console.warn('redis.int.test.ts skipped: REDIS_URL is not set (CI sets redis://127.0.0.1:6379)');

async function openLink(prefix: string): Promise<RedisLink> {
  const link = new RedisLink(redisUrl, prefix, silentLogger);
  await link.waitUntilReady();
  if (link.status() !== 'ok') throw new Error(`Redis at ${redisUrl} is not reachable`);
  return link;
}

describe.skipIf(redisUrl === '')('Redis adapters', () => {
  const prefixes: string[] = [];
  const fresh = (purpose: string) => {
    const prefix = freshPrefix(purpose);
    prefixes.push(prefix);
    return prefix;
  };

  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redisUrl, prefix);
  });

  describeRateLimiterContract('Redis', async ({ limit, windowMs, clock }) => {
    const link = await openLink(fresh('limiter'));
    return { limiter: new RedisRateLimiter(link, limit, windowMs, clock), cleanup: () => link.close() };
  });

  describeHubContract('Redis (two processes)', async () => {
    const prefix = fresh('hub');
    const [publisherLink, receiverLink] = await Promise.all([openLink(prefix), openLink(prefix)]);
    const publisher = await RedisHub.open(publisherLink);
    const receiver = await RedisHub.open(receiverLink);
    return {
      publisher,
      receiver,
      cleanup: async () => {
        await publisherLink.close();
        await receiverLink.close();
      },
    };
  });

  describeProductCacheContract('Redis', async () => {
    const link = await openLink(fresh('cache'));
    // Redis expires keys on its own clock, so this suite lets real time pass; a short TTL keeps that brief.
    const ttlMs = 300;
    return {
      cache: new RedisProductCache(link, ttlMs),
      ttlMs,
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      cleanup: () => link.close(),
    };
  });
});
