/**
 * Liveness and readiness (DESIGN.md §5). `/healthz` answers while the process serves requests;
 * `/readyz` also checks that the SQL store answers and the event processor runs, and answers 503
 * `not_ready` otherwise, so a load balancer takes the node out of rotation. With REDIS_URL it
 * also reports `checks.redis` (`ok` | `degraded`); a degraded node answers 200 `degraded`.
 */
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { json, ok } from '../http.ts';

export const opsRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/healthz',
    access: 'public',
    tag: 'operations',
    summary: 'Liveness: the process answers.',
    handler: async () => ok({ status: 'ok' }),
  },
  {
    method: 'GET',
    pattern: '/readyz',
    access: 'public',
    tag: 'operations',
    summary: 'Readiness: the SQL store answers and the event processor runs (and Redis, reported as ok or degraded).',
    handler: async (_request, context) => {
      const checks = { db: await context.health.checkDb(), processor: context.health.processorRunning() ? 'ok' : 'stopped' };
      const ready = Object.values(checks).every((value) => value === 'ok');
      // A failing consumer lags alone and is retried; the node still answers commands, so it is
      // reported here (and in bazaary_consumer_lag) rather than taking the node out of rotation.
      const consumers = context.health.consumers();
      if (context.redis === undefined) return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks, consumers });
      // A node without Redis still answers every request correctly (local limiter, uncached
      // reads, local delivery plus replay from the store), so it stays in rotation: taking every
      // node out when the shared Redis fails would turn a Redis outage into a full outage.
      const redis = context.redis.status();
      const status = !ready ? 'not_ready' : redis === 'ok' ? 'ready' : 'degraded';
      return json(ready ? 200 : 503, { status, checks: { ...checks, redis }, consumers });
    },
  },
];
