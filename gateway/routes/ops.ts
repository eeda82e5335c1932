/**
 * Liveness and readiness (DESIGN.md §5). `/healthz` answers while the process serves requests;
 * `/readyz` also checks that the SQL store answers and the event processor runs, and answers 503
 * `not_ready` otherwise, so a load balancer takes the node out of rotation.
 */
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { json, ok } from '../http.ts';

async function checkDb(context: GatewayContext): Promise<string> {
  try {
    await context.db.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message.slice(0, 200) : 'failed';
  }
}

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
    summary: 'Readiness: the SQL store answers and the event processor runs.',
    handler: async (_request, context) => {
      const checks = { db: await checkDb(context), processor: context.system.processor.isRunning() ? 'ok' : 'stopped' };
      const ready = Object.values(checks).every((value) => value === 'ok');
      return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
    },
  },
];
