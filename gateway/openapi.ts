/**
 * The OpenAPI 3.1 document, built from the route table itself so it cannot drift from what is
 * served: every route contributes its path (`:id` → `{id}`), method, tag, summary, parameters,
 * security and the shared error answer.
 */
import type { Route } from './http.ts';

export function openApiPath(pattern: string): string {
  return pattern.replace(/:([A-Za-z]+)/g, '{$1}');
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
};

function operation<Context>(route: Route<Context>): Record<string, unknown> {
  const parameters = [...route.pattern.matchAll(/:([A-Za-z]+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const secured = route.access !== 'public';
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${route.pattern.replace(/[^A-Za-z0-9]+(.)?/g, (_all, next: string | undefined) => (next ?? '').toUpperCase())}`,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(secured ? { security: [{ bearer: [] }, { cookie: [] }] } : {}),
    ...(Array.isArray(route.access) ? { 'x-roles': route.access } : {}),
    responses: {
      '200': { description: 'Success (201 for creations, 204 without a body).' },
      '4XX': { description: 'Refused; `code` is stable.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
}

export function buildOpenApi<Context>(routes: readonly Route<Context>[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.pattern);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Bazaary API', version, description: 'Money is integer minor units (cents). Errors are {error:{code,message}}.' },
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'access_token' },
      },
    },
  };
}
