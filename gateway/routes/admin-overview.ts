/**
 * The operator overview (ADMIN only), after the Akka and Orleans dashboards: one sample of the
 * running system per call (gateway/app/overview.ts builds it); the console charts the differences.
 */
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ok } from '../http.ts';

export const adminOverviewRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/admin/overview',
    access: ['ADMIN'],
    tag: 'operators',
    summary: 'One sample of the running system: resident actors and mailboxes by kind, command, request, rejection and error totals, journal batches, consumer lag, sagas, timers due.',
    handler: async (_request, context) => ok(await context.operator.overview(context.clock.now(), context.metrics.totals())),
  },
];
