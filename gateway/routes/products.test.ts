/**
 * Catalog reads and probes through the real Router over an embedded marketplace (PGlite, real
 * actors and projections). No socket: the handlers are plain functions (DESIGN.md §1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMarketplace, type Marketplace } from '../testing/marketplace.ts';
import { handlerContext } from '../testing/gateway-harness.ts';
import type { GatewayContext } from '../context.ts';
import type { ApiResponse } from '../http.ts';
import { Router } from '../router.ts';
import { opsRoutes } from './ops.ts';
import { productRoutes } from './products.ts';

let market: Marketplace;
let context: GatewayContext;
const router = new Router([...productRoutes, ...opsRoutes]);

beforeAll(async () => {
  market = await openMarketplace();
  await market.seller('acme', {
    'p-phone': { title: 'iPhone 15', priceMinor: 79_900, stock: 5, category: 'phones' },
    'p-case': { title: 'Leather case', priceMinor: 2_500, stock: 50, category: 'accessories' },
  });
  await market.settle();
  // These routes use only the query, command and health ports and the cache; the others are never touched,
  // and a request without a token never reaches the token service.
  const productCache = { read: (_id: string, load: () => Promise<unknown>) => load(), invalidate: async () => {} };
  context = handlerContext(market.system, { productCache } as unknown as Partial<GatewayContext>);
}, 60_000);

afterAll(async () => {
  await market.close();
});

function call(method: string, path: string): Promise<ApiResponse> {
  const [pathname = '', search = ''] = path.split('?');
  const request = { method, path: pathname, query: new URLSearchParams(search), headers: {}, body: new Uint8Array(), ip: '127.0.0.1' };
  return router.dispatch(request, context).then((result) => result.response);
}

function bodyOf(response: ApiResponse): Record<string, unknown> {
  if (response.body.kind !== 'json') throw new Error(`expected JSON, got ${response.body.kind}`);
  return response.body.value as Record<string, unknown>;
}

describe('catalog reads', () => {
  it('returns one product with its seller and integer price', async () => {
    const response = await call('GET', '/api/products/p-phone');
    expect(response.status).toBe(200);
    expect(bodyOf(response)).toMatchObject({ id: 'p-phone', sellerId: 'acme', sellerName: 'acme', priceMinor: 79_900, stock: 5, currency: 'USD' });
  });

  it('answers 404 product_not_found for an unknown id and 400 for a hostile one', async () => {
    expect(bodyOf(await call('GET', '/api/products/nope'))).toEqual({ error: { code: 'product_not_found', message: 'no product nope' } });
    const hostile = await call('GET', `/api/products/${encodeURIComponent("' OR 1=1 --")}`);
    expect(hostile.status).toBe(400);
    expect(bodyOf(hostile)['error']).toMatchObject({ code: 'invalid_request' });
  });

  it('pages and filters the list', async () => {
    const all = bodyOf(await call('GET', '/api/products?pageSize=1'));
    expect(all['total']).toBe(2);
    expect(all['items']).toHaveLength(1);
    const phones = bodyOf(await call('GET', '/api/products?category=phones'));
    expect((phones['items'] as { id: string }[]).map((item) => item.id)).toEqual(['p-phone']);
    expect((await call('GET', '/api/products?pageSize=1000')).status).toBe(400);
  });

  it('answers 404 and 405 for unknown routes and methods', async () => {
    expect((await call('GET', '/api/nothing')).status).toBe(404);
    const wrongMethod = await call('DELETE', '/healthz');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers?.['Allow']).toBe('GET');
  });
});

describe('probes', () => {
  it('reports live and ready', async () => {
    expect(bodyOf(await call('GET', '/healthz'))).toEqual({ status: 'ok' });
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    const body = bodyOf(ready) as { status: string; checks: unknown; consumers: { consumer: string; failures: number }[] };
    expect({ status: body.status, checks: body.checks }).toEqual({ status: 'ready', checks: { db: 'ok', processor: 'ok' } });
    // Every consumer of the one ordered list, each with its own lag, none failing (this test's
    // system has no edge, so search, notifications and the product cache are not among them).
    expect(body.consumers.map((consumer) => consumer.consumer)).toEqual(['timers', 'read-models', 'mail', 'seller-daily']);
    expect(body.consumers.every((consumer) => consumer.failures === 0)).toBe(true);
  });
});
