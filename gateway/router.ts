/**
 * Routing, authentication and error handling for every request, with no socket in sight:
 * match the route (404/405), refuse cross-site requests (gateway/browser-guard.ts), read the principal from the Bearer header or the `access_token`
 * cookie, check the route's access (401/403), run the handler, and turn a thrown ApiError into
 * its `{error:{code,message}}` answer. Anything else thrown is a bug: it is logged and answered
 * 500 `internal` with no internals in the body (DESIGN.md §5).
 */
import type { GatewayContext } from './context.ts';
import type { Access, ApiRequest, ApiResponse, Principal, Route } from './http.ts';
import { ApiError, errorResponse } from './http.ts';
import { changesState, crossSiteRefusal, jsonOnly, type SiteOrigins } from './browser-guard.ts';

interface CompiledRoute {
  readonly route: Route<GatewayContext>;
  readonly segments: readonly string[];
}

export type Match =
  | { readonly found: true; readonly route: Route<GatewayContext>; readonly params: Readonly<Record<string, string>> }
  | { readonly found: false; readonly status: 404 | 405; readonly allow: readonly string[] };

/** Segment limits keep a hostile path from costing more than a bounded scan. */
const maxPathLength = 2_048;

export class Router {
  private readonly compiled: readonly CompiledRoute[];

  constructor(readonly routes: readonly Route<GatewayContext>[]) {
    this.compiled = routes.map((route) => ({ route, segments: route.pattern.split('/') }));
    const seen = new Set<string>();
    for (const route of routes) {
      const id = `${route.method} ${route.pattern}`;
      if (seen.has(id)) throw new Error(`route ${id} is registered twice`);
      seen.add(id);
    }
  }

  match(method: string, path: string): Match {
    if (path.length > maxPathLength) return { found: false, status: 404, allow: [] };
    const segments = path.split('/');
    const allow: string[] = [];
    for (const candidate of this.compiled) {
      const params = matchSegments(candidate.segments, segments);
      if (params === null) continue;
      if (candidate.route.method === method || (method === 'HEAD' && candidate.route.method === 'GET')) {
        return { found: true, route: candidate.route, params };
      }
      allow.push(candidate.route.method);
    }
    return allow.length === 0 ? { found: false, status: 404, allow } : { found: false, status: 405, allow };
  }

  /**
   * `authenticated` is the principal of a WebSocket, verified once at its upgrade (DESIGN.md §7:
   * verify a socket's token once, not per message); HTTP requests leave it out and are
   * authenticated from their own headers.
   */
  async dispatch(
    request: Omit<ApiRequest, 'params' | 'principal'>,
    context: GatewayContext,
    authenticated?: Principal,
  ): Promise<{ response: ApiResponse; route: string }> {
    const matched = this.match(request.method, request.path);
    if (!matched.found) {
      const response =
        matched.status === 404
          ? errorResponse(404, 'not_found', `no route for ${request.method} ${request.path.slice(0, 200)}`)
          : errorResponse(405, 'method_not_allowed', `use ${matched.allow.join(', ')}`, { Allow: matched.allow.join(', ') });
      return { response, route: 'unmatched' };
    }
    const route = matched.route;
    // A WebSocket's commands were admitted at its upgrade (origin checked there); HTTP is checked here, once for every route.
    const refusal = authenticated === undefined && changesState(request.method) ? crossSiteRefusal(request, route.bodyTypes ?? jsonOnly, siteOrigins(context)) : null;
    if (refusal !== null) return { response: errorResponse(refusal.status, refusal.code, refusal.message), route: route.pattern };
    try {
      const principal = authenticated ?? (await authenticate(request.headers, context));
      denyUnlessAllowed(route.access, principal);
      const response = await route.handler({ ...request, params: matched.params, principal }, context);
      return { response, route: route.pattern };
    } catch (error) {
      return { response: toErrorResponse(error, context, request), route: route.pattern };
    }
  }
}

const siteOriginsByConfig = new WeakMap<object, SiteOrigins>();

/** This site's trusted origins, computed once per configuration. */
export function siteOrigins(context: Pick<GatewayContext, 'config'>): SiteOrigins {
  let sites = siteOriginsByConfig.get(context.config);
  if (sites === undefined) {
    const publicUrl = context.config.publicUrl;
    sites = { corsOrigins: context.config.corsOrigins, publicOrigin: publicUrl === undefined ? undefined : new URL(publicUrl).origin };
    siteOriginsByConfig.set(context.config, sites);
  }
  return sites;
}

function matchSegments(pattern: readonly string[], path: readonly string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index += 1) {
    const expected = pattern[index] ?? '';
    const actual = path[index] ?? '';
    if (expected.startsWith(':')) {
      if (actual === '') return null;
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return null;
      }
      params[expected.slice(1)] = decoded;
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

/** The token from `Authorization: Bearer …`, else from the `access_token` cookie. */
export function tokenFrom(headers: Readonly<Record<string, string>>): string | null {
  const authorization = headers['authorization'];
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match?.[1] ?? null;
  }
  const cookie = headers['cookie'];
  if (cookie === undefined) return null;
  for (const part of cookie.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === 'access_token') return part.slice(separator + 1).trim() || null;
  }
  return null;
}

/** The principal of a valid token whose server-side session is live (gateway/auth/sessions.ts). */
export async function authenticate(headers: Readonly<Record<string, string>>, context: Pick<GatewayContext, 'sessions'>): Promise<Principal | null> {
  const token = tokenFrom(headers);
  return token === null ? null : context.sessions.authenticate(token);
}

function denyUnlessAllowed(access: Access, principal: Principal | null): void {
  if (access === 'public') return;
  if (principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  if (access === 'user') return;
  if (!access.includes(principal.role)) throw new ApiError(403, 'forbidden', `this needs the role ${access.join(' or ')}`);
}

export function toErrorResponse(error: unknown, context: GatewayContext, request: Pick<ApiRequest, 'method' | 'path'>): ApiResponse {
  if (error instanceof ApiError) return errorResponse(error.status, error.code, error.message, error.headers);
  context.logger.error({ err: error, method: request.method, path: request.path.slice(0, 200) }, 'request failed');
  return errorResponse(500, 'internal', 'something went wrong on our side; it has been logged');
}
