/**
 * Response headers the adapter adds to every answer (DESIGN.md §5): security headers, a CSP for
 * the storefront, `Cache-Control: no-store` on the API, and CORS for allow-listed origins only.
 * Pure functions, so they are tested without a socket.
 */

export const contentSecurityPolicy =
  "default-src 'self'; img-src 'self' data: blob: https:; connect-src 'self' ws: wss:; " +
  "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'";

const securityHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy': contentSecurityPolicy,
};

/** Preflight answers are cached by the browser for this long, so each origin asks at most every 10 minutes. */
const preflightMaxAgeSeconds = 600;

/** Header names compared case-insensitively; handler headers win over the adapter's defaults. */
function hasHeader(headers: Readonly<Record<string, string>>, lowerName: string): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === lowerName);
}

function isAllowedOrigin(origin: string | undefined, corsOrigins: readonly string[]): origin is string {
  return origin !== undefined && origin !== '' && corsOrigins.includes(origin);
}

/** The CORS headers for a request's Origin; empty for an origin outside the allow-list. */
export function corsHeaders(origin: string | undefined, corsOrigins: readonly string[]): Record<string, string> {
  if (!isAllowedOrigin(origin, corsOrigins)) return {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' };
}

/** True for a CORS preflight from an allowed origin; other OPTIONS requests go to dispatch. */
export function isAllowedPreflight(method: string, origin: string | undefined, corsOrigins: readonly string[]): boolean {
  return method === 'OPTIONS' && isAllowedOrigin(origin, corsOrigins);
}

/** The preflight-only headers; `responseHeaders` adds the origin, credentials and Vary. */
export function preflightHeaders(): Record<string, string> {
  return {
    'Access-Control-Allow-Methods': 'GET,POST,PATCH,DELETE',
    'Access-Control-Allow-Headers': 'content-type,authorization',
    'Access-Control-Max-Age': String(preflightMaxAgeSeconds),
  };
}

/**
 * Merges the handler's headers with the adapter's: security headers always, no-store on /api/*
 * unless the handler chose a Cache-Control, CORS when allowed. `vary` collects every Vary token.
 */
export function responseHeaders(
  path: string,
  handlerHeaders: Readonly<Record<string, string>>,
  origin: string | undefined,
  corsOrigins: readonly string[],
  varyTokens: readonly string[],
): Array<[string, string]> {
  const merged: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(securityHeaders)) {
    if (!hasHeader(handlerHeaders, name.toLowerCase())) merged.push([name, value]);
  }
  if (path.startsWith('/api/') && !hasHeader(handlerHeaders, 'cache-control')) merged.push(['Cache-Control', 'no-store']);
  const cors = corsHeaders(origin, corsOrigins);
  merged.push(...Object.entries(cors));
  const vary = [...varyTokens];
  if (Object.keys(cors).length > 0) vary.push('Origin');
  for (const [name, value] of Object.entries(handlerHeaders)) {
    if (name.toLowerCase() === 'vary') vary.push(value);
    else merged.push([name, value]);
  }
  if (vary.length > 0) merged.push(['Vary', vary.join(', ')]);
  return merged;
}
