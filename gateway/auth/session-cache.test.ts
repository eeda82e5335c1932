/** The in-process session cache against the port's contract suite, plus its entry bound. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.ts';
import { describeSessionCacheContract } from '../redis/session-cache.contract.ts';
import { InProcessSessionCache } from './session-cache.ts';
import { gatewayLimits } from '../app/limits.ts';

describeSessionCacheContract('in-process', async ({ ttlMs, clock }) => {
  const cache = new InProcessSessionCache(ttlMs, clock);
  return { first: cache, second: cache, cleanup: async () => {} };
});

describe('InProcessSessionCache', () => {
  it(`keeps at most ${gatewayLimits.sessionCache.maxEntries} entries, dropping the oldest`, async () => {
    const cache = new InProcessSessionCache(60_000, new VirtualClock());
    const session = { userId: 'u', lastSeenAt: 0, expiresAt: 1 };
    for (let index = 0; index <= gatewayLimits.sessionCache.maxEntries; index += 1) await cache.put(`s${index}`, session);
    expect(await cache.get('s0')).toBeUndefined();
    expect(await cache.get('s1')).toEqual(session);
    expect(await cache.get(`s${gatewayLimits.sessionCache.maxEntries}`)).toEqual(session);
  });
});
