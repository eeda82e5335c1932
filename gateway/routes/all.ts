/**
 * The whole route table, in one list: the Router serves it, and the OpenAPI document is built
 * from the same list, so the two cannot disagree.
 */
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ok } from '../http.ts';
import { buildOpenApi } from '../openapi.ts';
import { addressRoutes } from './addresses.ts';
import { adminClusterRoutes } from './admin-cluster.ts';
import { adminOverviewRoutes } from './admin-overview.ts';
import { adminSearchRoutes } from './admin-search.ts';
import { adminRoutes } from './admin.ts';
import { authRoutes } from './auth.ts';
import { notificationRoutes } from './notifications.ts';
import { opsRoutes } from './ops.ts';
import { orderRoutes } from './orders.ts';
import { productWriteRoutes } from './product-writes.ts';
import { productRoutes } from './products.ts';
import { searchRoutes } from './search.ts';
import { sellerDeskRoutes } from './seller-desk.ts';
import { sellerRoutes } from './seller.ts';
import { currentSessionRoutes } from './session.ts';
import { sessionRoutes } from './sessions.ts';
import { walletRoutes } from './wallet.ts';

const apiVersion = '0.1.0';

export function allRoutes(): Route<GatewayContext>[] {
  const routes: Route<GatewayContext>[] = [
    ...opsRoutes,
    ...authRoutes,
    ...sessionRoutes,
    ...currentSessionRoutes,
    ...productRoutes,
    ...productWriteRoutes,
    ...searchRoutes,
    ...orderRoutes,
    ...walletRoutes,
    ...sellerRoutes,
    ...adminRoutes,
    ...adminSearchRoutes,
    ...adminOverviewRoutes,
    ...adminClusterRoutes,
    ...notificationRoutes,
    ...sellerDeskRoutes,
    ...addressRoutes,
  ];
  const document = buildOpenApi([...routes, ...metaRoutes(null)], apiVersion);
  return [...routes, ...metaRoutes(document)];
}

function metaRoutes(document: Record<string, unknown> | null): Route<GatewayContext>[] {
  return [
    {
      method: 'GET',
      pattern: '/metrics',
      // Metrics tell an outsider the load, the actors and the journal's pace: operators only here,
      // or anyone on the separate METRICS_PORT, which is meant for a private network (server.ts).
      access: ['ADMIN'],
      tag: 'operations',
      summary: 'Prometheus metrics (admin token, or the separate METRICS_PORT): requests, latencies, actors, mailboxes, journal batches, WebSocket connections.',
      handler: async (_request, context) => ({
        status: 200,
        body: { kind: 'text', text: context.metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' },
      }),
    },
    {
      method: 'GET',
      pattern: '/api/openapi.json',
      access: 'public',
      tag: 'operations',
      summary: 'This OpenAPI 3.1 document.',
      handler: async () => ok(document),
    },
  ];
}
