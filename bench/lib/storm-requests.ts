/**
 * The storm itself (bench/storm.bench.ts): every checkout sent at once over HTTP, each retried
 * with its own checkout id (idempotent) while it gets no final answer, and every attempt kept.
 * A final answer is 201 (bought) or 409 `insufficient_funds` (refused); a 503 is the server
 * saying "not yet, retry safely", and a client-side timeout or a network error is no answer.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sleep } from './pool.ts';

export interface StormTarget {
  readonly baseUrl: string;
  readonly buyerToken: string;
  readonly productId: string;
}

export interface StormOptions {
  readonly requests: number;
  /** Attempts per checkout, the first included. */
  readonly maxAttempts: number;
  /** The client gives up on one attempt after this long (the server's own wait is 15 s). */
  readonly attemptTimeoutMs: number;
  /** Pause before a retry after a 503, a timeout or a network error. */
  readonly retryPauseMs: number;
}

/** One attempt: an HTTP status and the API's error code, or what went wrong before an answer. */
export interface Attempt {
  readonly status: number | 'timeout' | 'network_error';
  readonly code: string | null;
  readonly ms: number;
}

export interface CheckoutRecord {
  readonly index: number;
  readonly checkoutId: string;
  readonly attempts: readonly Attempt[];
  /** The last attempt's outcome: the final answer when it is 201 or 409. */
  readonly final: Attempt;
  readonly finalAnswer: boolean;
  readonly firstTry: boolean;
  /** From the storm's start to this checkout's last answer. */
  readonly doneAtMs: number;
}

export function isFinal(attempt: Attempt): boolean {
  return attempt.status === 201 || (attempt.status === 409 && attempt.code === 'insufficient_funds');
}

/** Only "not yet" answers are retried; a 4xx other than the expected refusal is final too (and a finding). */
function retryable(attempt: Attempt): boolean {
  return attempt.status === 503 || attempt.status === 'timeout' || attempt.status === 'network_error';
}

async function attempt(target: StormTarget, checkoutId: string, timeoutMs: number): Promise<Attempt> {
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  try {
    const response = await fetch(`${target.baseUrl}/api/checkout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.buyerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutId, items: [{ productId: target.productId, qty: 1 }] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let code: string | null = null;
    if (!response.ok) {
      try {
        const parsed = JSON.parse(text) as { error?: { code?: unknown } };
        code = typeof parsed.error?.code === 'string' ? parsed.error.code : null;
      } catch {
        code = null;
      }
    }
    return { status: response.status, code, ms: elapsed() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { status: timedOut ? 'timeout' : 'network_error', code: error instanceof Error ? error.message.slice(0, 120) : null, ms: elapsed() };
  }
}

async function oneCheckout(target: StormTarget, options: StormOptions, index: number, stormStartedAt: number): Promise<CheckoutRecord> {
  const checkoutId = `storm-${randomUUID()}`;
  const attempts: Attempt[] = [];
  for (;;) {
    const outcome = await attempt(target, checkoutId, options.attemptTimeoutMs);
    attempts.push(outcome);
    if (!retryable(outcome) || attempts.length >= options.maxAttempts) break;
    await sleep(options.retryPauseMs);
  }
  const final = attempts[attempts.length - 1] as Attempt;
  return {
    index,
    checkoutId,
    attempts,
    final,
    finalAnswer: isFinal(final),
    firstTry: attempts.length === 1 && isFinal(final),
    doneAtMs: Math.round(performance.now() - stormStartedAt),
  };
}

/** Sends every checkout at once and resolves when each has its final answer or gave up. */
export async function runStorm(target: StormTarget, options: StormOptions): Promise<{ records: CheckoutRecord[]; durationMs: number }> {
  const startedAt = performance.now();
  const records = await Promise.all(Array.from({ length: options.requests }, (_, index) => oneCheckout(target, options, index, startedAt)));
  return { records, durationMs: Math.round(performance.now() - startedAt) };
}
