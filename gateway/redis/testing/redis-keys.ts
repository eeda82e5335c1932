/** Helpers for tests on a shared Redis: a fresh key prefix per run, and removing its keys. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export function freshPrefix(purpose: string): string {
  return `test:${purpose}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix` (SCAN, so a large Redis is not blocked). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
