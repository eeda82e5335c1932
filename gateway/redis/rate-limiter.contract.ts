/**
 * The login limiter port's contract suite (RateLimiter in gateway/context.ts). The in-process
 * limiter and the Redis limiter both run it: a fixed window per key that starts at the key's
 * first hit, `limit` hits allowed in it, and a `retryAfterMs` until it ends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.ts';
import type { RateLimiter } from '../context.ts';

export interface RateLimiterSubject {
  readonly limiter: RateLimiter;
  cleanup(): Promise<void>;
}

export type OpenRateLimiter = (options: { readonly limit: number; readonly windowMs: number; readonly clock: VirtualClock }) => Promise<RateLimiterSubject>;

const limit = 5;
const windowMs = 60_000;

export function describeRateLimiterContract(name: string, open: OpenRateLimiter): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let clock: VirtualClock;
    let subject: RateLimiterSubject;
    let limiter: RateLimiter;

    beforeEach(async () => {
      clock = new VirtualClock();
      subject = await open({ limit, windowMs, clock });
      limiter = subject.limiter;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    async function hits(key: string, count: number) {
      const decisions = [];
      for (let index = 0; index < count; index += 1) decisions.push(await limiter.hit(key));
      return decisions;
    }

    it('allows the limit within a window, then refuses with the time left in the window', async () => {
      const allowed = await hits('login:1.2.3.4', limit);
      expect(allowed.every((decision) => decision.allowed && decision.retryAfterMs === 0)).toBe(true);
      clock.advance(15_000);
      expect(await limiter.hit('login:1.2.3.4')).toEqual({ allowed: false, retryAfterMs: windowMs - 15_000 });
      clock.advance(5_000);
      expect(await limiter.hit('login:1.2.3.4')).toEqual({ allowed: false, retryAfterMs: windowMs - 20_000 });
    });

    it('counts each key on its own', async () => {
      await hits('login:a', limit + 1);
      expect((await limiter.hit('login:a')).allowed).toBe(false);
      expect((await limiter.hit('login:b')).allowed).toBe(true);
    });

    it('starts a new window once the old one has passed', async () => {
      await hits('login:w', limit + 2);
      clock.advance(windowMs);
      const again = await hits('login:w', limit + 1);
      expect(again.slice(0, limit).every((decision) => decision.allowed)).toBe(true);
      expect(again[limit]).toEqual({ allowed: false, retryAfterMs: windowMs });
    });

    it('lets exactly the limit through when many hits arrive at once', async () => {
      const decisions = await Promise.all(Array.from({ length: 4 * limit }, () => limiter.hit('login:burst')));
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(limit);
    });
  });
}
