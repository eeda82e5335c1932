/**
 * Maps a runtime Failure (a decider's rejection or the runtime's own answer, runtime/ask.ts) to
 * the HTTP status the gateway answers with. Business rejections are 4xx with their own code;
 * only a runtime that cannot answer in time is a 503, the one 5xx a client may see for a
 * healthy request (it carries Retry-After, and the command id makes the retry safe).
 */
import type { Failure } from '../runtime/ask.ts';
import { ApiError } from './http.ts';

const notFound = new Set(['unknown_order', 'unknown_checkout', 'product_not_found', 'seller_not_registered', 'not_found']);
const forbidden = new Set(['not_your_order', 'forbidden']);
const tooBusy = new Set(['mailbox_full', 'overloaded']);
// `not_owner` (cluster mode): another node serves the key. Commands, inspects and named waits
// are forwarded to it (runtime/cluster/forwarding.ts); what still answers it (a wait by function,
// a shard moving mid-request) is retried, safely, with the same command id.
const unavailable = new Set(['timeout', 'unavailable', 'actor_stopped', 'conflict', 'unknown_actor_kind', 'not_owner']);
const invalid = new Set([
  'amount_must_be_positive',
  'amount_not_integer',
  'invalid_product',
  'invalid_quantity',
  'invalid_reservation',
  'empty_cart',
  'empty_order',
  'empty_reservation',
  'too_many_lines',
]);

export function failureStatus(code: string): number {
  if (notFound.has(code)) return 404;
  if (forbidden.has(code)) return 403;
  if (invalid.has(code)) return 422;
  if (tooBusy.has(code)) return 429;
  if (unavailable.has(code)) return 503;
  // Everything else is a rule of the domain refusing this state: insufficient_funds,
  // invalid_transition, out_of_stock, conflicting_retry, awaiting_checkout, …
  return 409;
}

export function failureError(failure: Failure): ApiError {
  const status = failureStatus(failure.code);
  const headers = status === 429 || status === 503 ? { 'Retry-After': '1' } : undefined;
  return new ApiError(status, failure.code, failure.message, headers);
}

/** Returns the accepted result, or throws the failure as an ApiError. */
export function orThrow<Result extends { readonly ok: true }>(result: Result | Failure): Result {
  if (!result.ok) throw failureError(result);
  return result;
}
