import { describe, expect, it } from 'vitest';
import { buildOpenApi, openApiPath } from './openapi.ts';
import type { Route } from './http.ts';
import { opsRoutes } from './routes/ops.ts';
import { productRoutes } from './routes/products.ts';
import { walletRoutes } from './routes/wallet.ts';

const routes: Route<unknown>[] = [...opsRoutes, ...productRoutes, ...walletRoutes] as Route<unknown>[];

describe('OpenAPI document', () => {
  const document = buildOpenApi(routes, 'test') as { openapi: string; paths: Record<string, Record<string, { security?: unknown; parameters?: { name: string }[] }>> };

  it('is OpenAPI 3.1 and lists every route with its method', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const route of routes) {
      const operation = document.paths[openApiPath(route.pattern)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.pattern}`).toBeDefined();
      expect(operation?.security !== undefined).toBe(route.access !== 'public');
    }
  });

  it('turns :params into templated path parameters', () => {
    const operation = document.paths['/api/products/{id}']?.['get'];
    expect(operation?.parameters?.map((parameter) => parameter.name)).toEqual(['id']);
  });
});
