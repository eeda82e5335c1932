/**
 * The gateway's own request and response values (DESIGN.md §1, §5). Route handlers are plain
 * async functions from an `ApiRequest` to an `ApiResponse`; they never see a socket, so they are
 * tested by calling them. Only gateway/uws.ts turns sockets into these values and back.
 */
import type { UserRole } from './api-types.ts';

/** Who is calling, taken from a verified token. `null` on a request without a valid one. */
export interface Principal {
  readonly userId: string;
  readonly role: UserRole;
  readonly email: string;
  /** The server-side session the token names (gateway/auth/sessions.ts); logout ends it. */
  readonly sessionId: string;
}

export interface ApiRequest {
  readonly method: string;
  /** The path without the query string, e.g. `/api/products/p1`. */
  readonly path: string;
  /** Route parameters (`:id` → `params.id`), filled by the router. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Lower-case header names; a header sent twice keeps the last value. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, at most `gatewayLimits.maxBodyBytes` (larger bodies were answered 413). */
  readonly body: Uint8Array;
  /** The peer's address as text (the rate limiter's key). */
  readonly ip: string;
  /** Set by the auth step from the cookie or Bearer token; null when absent or invalid. */
  readonly principal: Principal | null;
}

export type ApiBody =
  | { readonly kind: 'json'; readonly value: unknown }
  /** `gzipped`: the same bytes gzip-compressed, sent instead to clients that accept gzip. */
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly contentType: string; readonly gzipped?: Uint8Array }
  | { readonly kind: 'text'; readonly text: string; readonly contentType: string }
  | { readonly kind: 'empty' };

export interface ApiResponse {
  readonly status: number;
  /** Extra headers (`Set-Cookie`, `Retry-After`, `Cache-Control`…); security headers are added by the adapter. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: ApiBody;
}

export type Handler<Context> = (request: ApiRequest, context: Context) => Promise<ApiResponse>;

/** Who may call a route. A role list admits exactly those roles; `user` admits any signed-in user. */
export type Access = 'public' | 'user' | readonly UserRole[];

export interface Route<Context> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path with `:name` segments, e.g. `/api/orders/:id/ship`. */
  readonly pattern: string;
  readonly access: Access;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** OpenAPI tag, e.g. `catalog`. */
  readonly tag: string;
  readonly handler: Handler<Context>;
  /** Overrides the default body cap for this route (image uploads). */
  readonly maxBodyBytes?: number;
  /** Media types the body may have (default `application/json`); gateway/browser-guard.ts refuses others. */
  readonly bodyTypes?: readonly string[];
}

export function json(status: number, value: unknown, headers?: Readonly<Record<string, string>>): ApiResponse {
  return headers === undefined ? { status, body: { kind: 'json', value } } : { status, headers, body: { kind: 'json', value } };
}

export function ok(value: unknown): ApiResponse {
  return json(200, value);
}

export function noContent(headers?: Readonly<Record<string, string>>): ApiResponse {
  return headers === undefined ? { status: 204, body: { kind: 'empty' } } : { status: 204, headers, body: { kind: 'empty' } };
}

/** `{ error: { code, message } }` with a 4xx (DESIGN.md §5). */
export function errorResponse(status: number, code: string, message: string, headers?: Readonly<Record<string, string>>): ApiResponse {
  return json(status, { error: { code, message } }, headers);
}

/**
 * Thrown by handlers and helpers for a request that cannot be served; the router turns it into
 * `errorResponse(status, code, message)`. Anything else thrown is a bug and becomes a 500 with
 * no internals in the body.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}
