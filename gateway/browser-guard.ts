/**
 * Cross-site request forgery and cross-site WebSocket hijacking, refused once at the edge
 * (DESIGN.md §5 "Browser safety"). A browser attaches the `access_token` cookie to any request to
 * this site, whoever wrote the page that sent it; the two facts it cannot forge are the `Origin`
 * (or, on old paths, `Sec-Fetch-Site`) it stamps on the request and a non-form `Content-Type`,
 * which a foreign page can only send after a CORS preflight that we refuse. A request carrying an
 * `Authorization` header is not a browser's ambient credential (a foreign page cannot add one
 * without that same preflight), so Bearer clients (k6, scripts) pass untouched.
 * Pure functions of the request's headers, tested without a socket.
 */

/** Methods a browser may send cross-site without consequence; every other method changes state. */
const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for a method that may change state (not GET, HEAD or OPTIONS). */
export function changesState(method: string): boolean {
  return !safeMethods.has(method);
}

/** The body types a route accepts when it says nothing: JSON, which no HTML form can send. */
export const jsonOnly: readonly string[] = ['application/json'];

export interface SiteOrigins {
  /** `CORS_ORIGINS`: other origins (the Vite dev server) trusted like this site. */
  readonly corsOrigins: readonly string[];
  /** `PUBLIC_URL`'s origin, when set (the address users type behind a proxy). */
  readonly publicOrigin: string | undefined;
}

export interface Refusal {
  readonly status: number;
  readonly code: 'cross_site_request' | 'unsupported_media_type';
  readonly message: string;
}

/** The media type without parameters, lower-case: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * True when `origin` is this site: the origin of the `Host` the browser sent the request to (a
 * foreign page cannot change the Host of a request to us), `PUBLIC_URL`, or one of `CORS_ORIGINS`.
 * `Origin: null` (sandboxed frames, data: URLs, some redirects) is never this site.
 */
export function isSiteOrigin(origin: string, host: string | undefined, sites: SiteOrigins): boolean {
  if (origin === 'null' || origin === '') return false;
  if (sites.corsOrigins.includes(origin) || origin === sites.publicOrigin) return true;
  if (host === undefined || host === '') return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

/** Refusal when the browser says the request came from another site; null when it came from us or says nothing. */
export function foreignOrigin(headers: Readonly<Record<string, string>>, sites: SiteOrigins): Refusal | null {
  const origin = headers['origin'];
  if (origin !== undefined) {
    if (isSiteOrigin(origin, headers['host'], sites)) return null;
    return { status: 403, code: 'cross_site_request', message: `requests from ${origin.slice(0, 100)} are not accepted; use this site or an allowed origin` };
  }
  // Without an Origin (older browsers on some paths), Fetch Metadata still tells a foreign page apart.
  if (headers['sec-fetch-site'] === 'cross-site') {
    return { status: 403, code: 'cross_site_request', message: 'cross-site requests are not accepted' };
  }
  return null;
}

/** True when the request carries an `Authorization` header: not a browser's ambient credential. */
export function carriesOwnCredential(headers: Readonly<Record<string, string>>): boolean {
  return headers['authorization'] !== undefined;
}

/**
 * The refusal for a state-changing request a foreign page could have sent with the user's cookie
 * (or to sign the browser into another account: login CSRF), or null to let it through.
 * `bodyTypes` are the media types the route reads; an empty body needs none.
 */
export function crossSiteRefusal(
  request: { readonly method: string; readonly headers: Readonly<Record<string, string>>; readonly body: Uint8Array },
  bodyTypes: readonly string[],
  sites: SiteOrigins,
): Refusal | null {
  if (safeMethods.has(request.method) || carriesOwnCredential(request.headers)) return null;
  const foreign = foreignOrigin(request.headers, sites);
  if (foreign !== null) return foreign;
  const type = mediaType(request.headers['content-type']);
  if ((request.body.byteLength > 0 || type !== '') && !bodyTypes.includes(type)) {
    return { status: 415, code: 'unsupported_media_type', message: `send the body as ${bodyTypes.join(' or ')}` };
  }
  return null;
}

/**
 * The refusal for a WebSocket upgrade: one authenticated by cookie must come from this site. A
 * browser always sends `Origin` on an upgrade, so a cookie upgrade without one is not a browser's.
 */
export function upgradeRefusal(headers: Readonly<Record<string, string>>, sites: SiteOrigins): Refusal | null {
  if (carriesOwnCredential(headers)) return null;
  return foreignOrigin(headers, sites);
}
