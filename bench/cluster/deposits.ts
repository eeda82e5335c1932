/**
 * The benchmark's one command: `POST /api/wallet/deposit` of 1 cent, as the wallet's owner (a
 * buyer's token), to a chosen node. A wallet's actor key is `wallet:<userId>`, so the lease table
 * says which node is local to it and which ones must forward it. Each deposit has a fresh command
 * id, except in `firstSuccess`, which resends one id until it is answered 200 (a 503 after a
 * handoff is safe to retry with the same id, and that is what a client does).
 */
import { performance } from 'node:perf_hooks';
import { walletKey } from '../../actors/keys.ts';
import { register } from '../load/market.ts';
import { forEachConcurrently, sleep } from '../lib/pool.ts';

export interface Buyer {
  readonly userId: string;
  readonly token: string;
  readonly key: string;
}

export interface DepositAnswer {
  readonly status: number;
  /** The API's error code on a failure, `client_timeout` or `connection_failed` when there was no answer. */
  readonly code: string | null;
  readonly ms: number;
}

/** Far above a deposit's latency here; a request that takes longer counts as failed. */
const requestTimeoutMs = 10_000;
/** Registrations in flight at once: each costs an argon2 hash (~25 ms of a node's CPU). */
const registerConcurrency = 4;

export async function registerBuyers(baseUrl: string, count: number, runId: string): Promise<Buyer[]> {
  const buyers: Buyer[] = [];
  await forEachConcurrently(count, registerConcurrency, async (index) => {
    const account = await register(baseUrl, 'BUYER', `cluster-${runId}-buyer-${index}@example.test`);
    buyers[index] = { ...account, key: walletKey(account.userId) };
  });
  return buyers;
}

export async function deposit(baseUrl: string, buyer: Buyer, commandId: string): Promise<DepositAnswer> {
  const startedAt = performance.now();
  try {
    const response = await fetch(`${baseUrl}/api/wallet/deposit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ commandId, amountMinor: 1 }),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    const code = response.ok ? null : errorCode(text, response.status);
    return { status: response.status, code, ms: performance.now() - startedAt };
  } catch (error) {
    const code = (error as Error).name === 'TimeoutError' ? 'client_timeout' : 'connection_failed';
    return { status: 0, code, ms: performance.now() - startedAt };
  }
}

function errorCode(text: string, status: number): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : `http_${status}`;
  } catch {
    return `http_${status}`;
  }
}

export type Route = 'local' | 'forwarded';

/** One deposit to send: whose wallet, through which node, and whether that node owns the key. */
export interface Shot {
  readonly buyer: Buyer;
  readonly baseUrl: string;
  readonly route: Route;
}

export interface RouteSamples {
  readonly local: number[];
  readonly forwarded: number[];
  /** Answers other than 200, by `status code`. */
  readonly failures: Record<string, number>;
}

/** Sends `shots` (at most `concurrency` in flight, in order) and keeps each one's latency by route. */
export async function timeShots(shots: readonly Shot[], concurrency: number, label: string): Promise<RouteSamples> {
  const samples: RouteSamples = { local: [], forwarded: [], failures: {} };
  await forEachConcurrently(shots.length, concurrency, async (index) => {
    const shot = shots[index];
    if (shot === undefined) return;
    const answer = await deposit(shot.baseUrl, shot.buyer, `${label}-${index}`);
    if (answer.status === 200) samples[shot.route].push(answer.ms);
    else {
      const failure = `${answer.status} ${answer.code ?? ''}`.trim();
      samples.failures[failure] = (samples.failures[failure] ?? 0) + 1;
    }
  });
  return samples;
}

export interface Throughput {
  readonly deposits: number;
  readonly failures: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly latenciesMs: number[];
}

/**
 * A closed loop: `concurrency` clients each send deposit after deposit for `durationMs`, the next
 * one as soon as the last is answered; `pick(n)` chooses the n-th deposit's wallet and node.
 */
export async function closedLoop(pick: (sequence: number) => Omit<Shot, 'route'>, concurrency: number, durationMs: number, label: string): Promise<Throughput> {
  const latenciesMs: number[] = [];
  let sequence = 0;
  let failures = 0;
  const startedAt = performance.now();
  const client = async () => {
    while (performance.now() - startedAt < durationMs) {
      const index = sequence;
      sequence += 1;
      const shot = pick(index);
      const answer = await deposit(shot.baseUrl, shot.buyer, `${label}-${index}`);
      if (answer.status === 200) latenciesMs.push(answer.ms);
      else failures += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - startedAt) / 1_000;
  return { deposits: latenciesMs.length, failures, seconds, perSecond: latenciesMs.length / seconds, latenciesMs };
}

export interface MovedKey {
  readonly buyer: Buyer;
  /** From the signal to the first 200 on a request sent after the key's lease left the old owner
   *  (so the new owner answered it); null when none came by the deadline. */
  readonly firstSuccessMs: number | null;
  /** The longest time without a 200 for this key, from the signal to that first success. */
  readonly longestGapMs: number | null;
  readonly attempts: number;
  /** Answers that were not 200, by `status code`. */
  readonly failures: Record<string, number>;
}

/** Pause after a failed try: a client retrying a 503 at once, a little less eagerly. */
const retryPauseMs = 20;

/**
 * Sends deposits for `buyer` through `baseUrl` one after another from `signalAtMs` on (a failed one
 * again with its command id, a 503 being safe to retry), until one that was sent after
 * `leftOwnerAtMs()` (the moment the key's lease was seen to leave the old owner) is answered 200.
 * An answer before that may still come from the old owner while it drains.
 */
export async function followMovedKey(
  baseUrl: string,
  buyer: Buyer,
  label: string,
  signalAtMs: number,
  leftOwnerAtMs: () => number | null,
  deadlineMs: number,
): Promise<MovedKey> {
  const failures: Record<string, number> = {};
  let attempts = 0;
  let sequence = 0;
  let lastSuccessAtMs = signalAtMs;
  let longestGapMs = 0;
  while (performance.now() - signalAtMs < deadlineMs) {
    attempts += 1;
    const sentAtMs = performance.now();
    const answer = await deposit(baseUrl, buyer, `${label}-${sequence}`);
    if (answer.status !== 200) {
      const failure = `${answer.status} ${answer.code ?? ''}`.trim();
      failures[failure] = (failures[failure] ?? 0) + 1;
      await sleep(retryPauseMs);
      continue;
    }
    const answeredAtMs = performance.now();
    longestGapMs = Math.max(longestGapMs, answeredAtMs - lastSuccessAtMs);
    lastSuccessAtMs = answeredAtMs;
    sequence += 1;
    const leftAtMs = leftOwnerAtMs();
    if (leftAtMs !== null && sentAtMs >= leftAtMs) return { buyer, firstSuccessMs: answeredAtMs - signalAtMs, longestGapMs, attempts, failures };
  }
  return { buyer, firstSuccessMs: null, longestGapMs: null, attempts, failures };
}
