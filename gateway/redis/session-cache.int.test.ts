/**
 * The Redis session cache against the same contract suite as the in-process one, as two
 * processes (two links) on the machine's real Redis, under a fresh key prefix removed afterwards.
 */
import { afterAll, describe } from 'vitest';
import { silentLogger } from '../../runtime/logger.ts';
import { RedisLink } from './link.ts';
import { RedisSessionCache } from './redis-session-cache.ts';
import { describeSessionCacheContract } from './session-cache.contract.ts';
import { deleteKeys, freshPrefix } from './testing/redis-keys.ts';

const redisUrl = process.env['REDIS_URL'] ?? '';
if (redisUrl === '') console.warn('session-cache.int.test.ts skipped: REDIS_URL is not set (CI sets redis://127.0.0.1:6379)');

async function openLink(prefix: string): Promise<RedisLink> {
  const link = new RedisLink(redisUrl, prefix, silentLogger);
  await link.waitUntilReady();
  if (link.status() !== 'ok') throw new Error(`Redis at ${redisUrl} is not reachable`);
  return link;
}

describe.skipIf(redisUrl === '')('Redis session cache', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redisUrl, prefix);
  });

  describeSessionCacheContract('Redis (two processes)', async ({ ttlMs }) => {
    const prefix = freshPrefix('sessions');
    prefixes.push(prefix);
    const [firstLink, secondLink] = await Promise.all([openLink(prefix), openLink(prefix)]);
    const [first, second] = await Promise.all([RedisSessionCache.open(firstLink, ttlMs), RedisSessionCache.open(secondLink, ttlMs)]);
    // The subscriber must be listening before a revocation is published.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return {
      first,
      second,
      cleanup: async () => {
        await firstLink.close();
        await secondLink.close();
      },
    };
  });
});
