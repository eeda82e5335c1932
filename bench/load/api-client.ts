/**
 * The harness's HTTP client for the Bazaary API: JSON in and out, a Bearer token, and a failure
 * reported as the API's stable error code (`{error:{code}}`) or `http_<status>`, so step tables
 * name what went wrong instead of counting anonymous errors.
 *
 * It uses Node's built-in fetch (undici), which keeps connections alive per origin.
 */

/** Far above any answer seen here; a request that takes longer is a failure worth naming. */
export const requestTimeoutMs = 30_000;

export type ApiAnswer<Body> = { readonly ok: true; readonly status: number; readonly body: Body } | { readonly ok: false; readonly status: number; readonly code: string };

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Overrides `requestTimeoutMs` (a fault proof resends sooner than a load run gives up). */
  readonly timeoutMs?: number;
}

export async function call<Body>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer<Body>> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? requestTimeoutMs),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (response.ok) return { ok: true, status: response.status, body: parsed as Body };
  const code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
  return { ok: false, status: response.status, code: typeof code === 'string' ? code : `http_${response.status}` };
}

/** The body of a successful answer; throws (for setup code, where any failure stops the run). */
export async function expectOk<Body>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Body> {
  const answer = await call<Body>(baseUrl, method, path, options);
  if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status} ${answer.code}`);
  return answer.body;
}
