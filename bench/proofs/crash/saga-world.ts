/**
 * What the saga crash test (saga-crash.test.ts) and its child process (saga-worker.ts) share:
 * the configuration every run of one data dir starts with, and the worker's line protocol.
 *
 * The windows are short and the clock is the system's, so that the durable timers (ship-by
 * expiry, escrow auto-release, the order's step-retry wake-up) fire for real within the run,
 * across kills: a timer due while the worker was dead fires when the next one starts.
 */
import { parseConfig, type Config } from '../../../gateway/app/config.ts';
import type { Limits } from '../../../runtime/limits.ts';

/** Every run of a data dir uses these, so a restart reads the same policy. */
export const sagaEnvironment = {
  /** An order not shipped within this window after payment is cancelled and refunded. Long
   *  enough that a seller on a busy machine usually ships in time, so that releases happen. */
  SHIP_BY_WINDOW: '5s',
  /** Escrow auto-release after shipping. */
  ESCROW_RELEASE_AFTER: '2s',
  /** Each saga's (order's, checkout's) wake-up timer while a step is pending: what resumes it after a crash. */
  STEP_RETRY_AFTER: '1s',
  /** Small, so that actors are rehydrated from snapshots (and their tails) after every kill. */
  SNAPSHOT_EVERY: '5',
  /** Short, so that idle actors are passivated and rehydrated within a run too. */
  PASSIVATE_AFTER: '2s',
  /** A non-zero fee, so that releases move money to the platform wallet (the credit_fee step). */
  PLATFORM_FEE_BPS: '250',
} as const;

/** Runtime bounds the worker overrides: timers and passivation act within a few seconds. */
export const sagaLimits: Partial<Limits> = {
  timerPollMs: 200,
  passivationSweepMs: 1_000,
};

export function sagaConfig(dataDir: string, databaseUrl?: string): Config {
  return parseConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...sagaEnvironment });
}

/** Journal events the worker's observer reports, so the test can kill inside those sagas. */
export const observedEvents = ['CheckoutStarted', 'CompensationStarted', 'ReleaseStarted', 'CancellationStarted'] as const;
export type ObservedEvent = (typeof observedEvents)[number];

/** A person's action on an order (the saga's human side). */
export type Action = 'ship' | 'confirm' | 'seller-cancel' | 'admin-cancel' | 'dispute' | 'resolve';

/**
 * The worker's stdout, one JSON line each, written with writeSync so that a line is in the pipe
 * before the worker goes on (a SIGKILL loses only replies not yet written).
 */
export type SagaLine =
  | { readonly t: 'ready'; readonly cycle: number; readonly mode: 'run' | 'finish'; readonly startMs: number }
  /** Before a checkout is started (or re-addressed): it may be journaled from here on. */
  | { readonly t: 'checkout-send'; readonly id: string }
  | { readonly t: 'checkout'; readonly id: string; readonly ok: true; readonly orderIds: readonly string[] }
  /** `final` is false for a runtime failure (timeout, …): the saga may still complete. */
  | { readonly t: 'checkout'; readonly id: string; readonly ok: false; readonly code: string; readonly final: boolean }
  | { readonly t: 'action'; readonly orderId: string; readonly action: Action; readonly ok: boolean; readonly code: string | null }
  /** Seen by the event processor (so journaled a moment ago); replays after a restart repeat it. */
  | { readonly t: 'saga'; readonly key: string; readonly event: ObservedEvent }
  | { readonly t: 'owed'; readonly resolved: number }
  | { readonly t: 'flows-done'; readonly flows: number; readonly ms: number }
  /** The finish run's progress: sagas not finished yet, and a few of them. */
  | { readonly t: 'waiting'; readonly waitedMs: number; readonly unsettled: number; readonly sample: readonly string[] }
  | { readonly t: 'set-up'; readonly setUpMs: number; readonly owedMs: number }
  /** The finish run's end: `atMs` is the clock then, the moment an order may still wait on a person. */
  | { readonly t: 'settled'; readonly atMs: number; readonly waitedMs: number; readonly orders: number; readonly checkouts: number; readonly unsettled: readonly string[] }
  /** The finish run drained the event processor (`error` when a consumer kept failing). */
  | { readonly t: 'drained'; readonly ms: number; readonly error: string | null }
  /** The worker kills itself with a batch in flight and `queued` entries waiting behind it (inflight-kill.ts). */
  | { readonly t: 'inflight-kill'; readonly entries: number; readonly kinds: readonly string[]; readonly queued: number }
  | { readonly t: 'done' };
