/**
 * The session cache port's contract suite (SessionCache in gateway/auth/session-cache.ts). The
 * in-process cache and the Redis cache both run it. `first` and `second` are two processes'
 * views of one shared cache (the in-process subject hands the same cache twice).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.ts';
import type { SessionCache } from '../auth/session-cache.ts';

export interface SessionCacheSubject {
  readonly first: SessionCache;
  readonly second: SessionCache;
  cleanup(): Promise<void>;
}

export type OpenSessionCache = (options: { readonly ttlMs: number; readonly clock: VirtualClock }) => Promise<SessionCacheSubject>;

const ttlMs = 200;
const session = { userId: 'u1', lastSeenAt: 1_000, expiresAt: 9_000 };

async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in 2 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function describeSessionCacheContract(name: string, open: OpenSessionCache): void {
  describe(`SessionCache contract: ${name}`, () => {
    let clock: VirtualClock;
    let subject: SessionCacheSubject;

    beforeEach(async () => {
      clock = new VirtualClock();
      subject = await open({ ttlMs, clock });
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('answers undefined for a session it never saw, and what was put for one it did, in every process', async () => {
      expect(await subject.first.get('never')).toBeUndefined();
      await subject.first.put('s1', session);
      expect(await subject.first.get('s1')).toEqual(session);
      expect(await subject.second.get('s1')).toEqual(session);
      await subject.second.put('s1', { ...session, lastSeenAt: 2_000 });
      expect(await subject.first.get('s1')).toEqual({ ...session, lastSeenAt: 2_000 });
    });

    it('forgets an entry once its time to live has passed', async () => {
      await subject.first.put('s2', session);
      clock.advance(ttlMs);
      await new Promise((resolve) => setTimeout(resolve, ttlMs + 50));
      expect(await subject.first.get('s2')).toBeUndefined();
    });

    it('revokes in every process and tells every process its ids', async () => {
      const heardFirst: string[] = [];
      const heardSecond: string[] = [];
      subject.first.onRevoked((id) => heardFirst.push(id));
      subject.second.onRevoked((id) => heardSecond.push(id));
      await subject.first.put('s3', session);
      await subject.first.put('s4', session);
      await subject.first.put('s5', session);
      await subject.second.revoke(['s3', 's4']);
      expect(await subject.first.get('s3')).toBeUndefined();
      expect(await subject.first.get('s4')).toBeUndefined();
      expect(await subject.first.get('s5')).toEqual(session);
      await eventually(() => heardFirst.includes('s3') && heardFirst.includes('s4') && heardSecond.includes('s4'));
      expect(heardFirst).not.toContain('s5');
    });
  });
}
