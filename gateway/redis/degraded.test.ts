/**
 * With REDIS_URL pointing at a Redis that is not there, the Redis parts start degraded and fall
 * back to local behaviour instead of failing: the limiter counts in process, product reads go to
 * the read model, and notifications reach this process's own subscribers. (The outage of a Redis
 * that was up, and its recovery, are in outage.int.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationDto } from '../api-types.ts';
import { VirtualClock } from '../../runtime/clock.ts';
import { silentLogger } from '../../runtime/logger.ts';
import type { GatewayContext, RedisHealth } from '../context.ts';
import { createHealthPort } from '../app/ports.ts';
import type { Db } from '../../persistence/adapters/db.ts';
import { Router } from '../router.ts';
import { opsRoutes } from '../routes/ops.ts';
import { openBus, type BusParts } from './bus.ts';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';

describe('Redis parts with Redis unreachable', () => {
  let bus: BusParts;

  beforeAll(async () => {
    const config = { redisUrl: `redis://127.0.0.1:${await freePort()}`, productCacheTtlMs: 5_000, registrationsPerHour: 10, loginsPerMinute: 5 };
    bus = await openBus({ config, clock: new VirtualClock(), logger: silentLogger });
  });

  afterAll(async () => {
    await bus.close();
  });

  it('starts and reports degraded', () => {
    expect(bus.redis?.status()).toBe('degraded');
  });

  it('limits logins in process: five pass, the sixth waits for the window', async () => {
    const decisions = [];
    for (let attempt = 0; attempt < 6; attempt += 1) decisions.push(await bus.loginLimiter.hit('login:10.0.0.9'));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions[5]?.retryAfterMs).toBe(60_000);
  });

  it('reads products through to the read model and accepts invalidations', async () => {
    let loads = 0;
    const load = async () => (loads += 1, null);
    await bus.productCache.read('p1', load);
    await bus.productCache.read('p1', load);
    await bus.productCache.invalidate(['p1']);
    expect(loads).toBe(2);
  });

  it('delivers notifications to local subscribers', () => {
    const received: number[] = [];
    bus.hub.subscribe('alice', (notification) => received.push(notification.seq));
    bus.hub.publish('alice', { type: 'notification', seq: 1, event: 'wallet.changed', data: { change: 'Deposited', amountMinor: 1, orderId: null }, at: 1 } as NotificationDto);
    expect(received).toEqual([1]);
  });
});

describe('/readyz with Redis configured', () => {
  const router = new Router(opsRoutes);

  async function readyz(redis: ReturnType<RedisHealth['status']>, dbUp: boolean) {
    const db = { query: async () => (dbUp ? [{ one: 1 }] : Promise.reject(new Error('connection refused'))) } as unknown as Db;
    const context = { health: createHealthPort(db, { isRunning: () => true, lags: () => [{ consumer: 'mail', position: 3, lag: 2, failures: 1 }] }), redis: { status: () => redis } } as unknown as GatewayContext;
    const request = { method: 'GET', path: '/readyz', query: new URLSearchParams(), headers: {}, body: new Uint8Array(), ip: '127.0.0.1' };
    const { response } = await router.dispatch(request, context);
    return { status: response.status, body: response.body.kind === 'json' ? response.body.value : null };
  }

  it('stays in rotation (200) when only Redis is down, and says so', async () => {
    // A failing consumer is reported, and lags alone: the node stays in rotation.
    const consumers = [{ consumer: 'mail', lag: 2, failures: 1 }];
    expect(await readyz('degraded', true)).toEqual({ status: 200, body: { status: 'degraded', checks: { db: 'ok', processor: 'ok', redis: 'degraded' }, consumers } });
    expect(await readyz('ok', true)).toEqual({ status: 200, body: { status: 'ready', checks: { db: 'ok', processor: 'ok', redis: 'ok' }, consumers } });
  });

  it('leaves rotation (503) when the SQL store is down, whatever Redis says', async () => {
    const answer = await readyz('ok', false);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'not_ready', checks: { db: 'connection refused', redis: 'ok' } });
  });
});
