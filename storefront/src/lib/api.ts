/**
 * The one way the storefront talks HTTP to the gateway: same-origin cookies, JSON in and out, and
 * every failure turned into an ApiFailure carrying the gateway's stable error code, so the page
 * can show the human sentence for it (errors.ts) next to the control that caused it.
 */
import type { ApiErrorBody } from '../../../gateway/api-types.ts';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }

  /** Worth retrying with the same client id: the request may or may not have happened. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  readonly method?: Method;
  /** Sent as JSON unless it is a Blob/File (sent raw with its own content type). */
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined | null>>;
  readonly signal?: AbortSignal;
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

function bodyInit(body: unknown): { body?: BodyInit; headers: Record<string, string> } {
  if (body === undefined) return { headers: {} };
  if (body instanceof Blob) return { body, headers: { 'Content-Type': body.type || 'application/octet-stream' } };
  return { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function api<Result>(path: string, options: RequestOptions = {}): Promise<Result> {
  const { body, headers } = bodyInit(options.body);
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? 'GET',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiFailure(0, 'network', 'the server could not be reached');
  }
  const payload = await readBody(response);
  if (response.ok) return payload as Result;
  if (isErrorBody(payload)) throw new ApiFailure(response.status, payload.error.code, payload.error.message);
  throw new ApiFailure(response.status, response.status === 404 ? 'not_found' : 'http_error', `the server answered ${response.status}`);
}
