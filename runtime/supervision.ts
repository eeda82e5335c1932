/**
 * The crash policy of every entity actor: restart from durable state with exponential backoff,
 * at most `restartsMax` times within `restartWindowMs`, then stop and log. A restart drops the
 * in-memory state; the next message rehydrates from snapshot + journal, so nothing acknowledged
 * is lost. The policy itself never throws (a throwing nact onCrash kills Node 20).
 */
import type { Limits } from './limits.ts';

export interface RestartHistory {
  /** Times (ms, monotonic) of recent crashes, oldest first. */
  readonly crashes: number[];
}

export type RestartVerdict = { readonly restart: true; readonly backoffMs: number } | { readonly restart: false };

export function judgeCrash(history: RestartHistory, nowMs: number, limits: Limits): RestartVerdict {
  const recent = history.crashes.filter((at) => nowMs - at < limits.restartWindowMs);
  recent.push(nowMs);
  history.crashes.splice(0, history.crashes.length, ...recent);
  if (recent.length > limits.restartsMax) return { restart: false };
  const backoffMs = Math.min(limits.restartBackoffMaxMs, limits.restartBackoffBaseMs * 2 ** (recent.length - 1));
  return { restart: true, backoffMs };
}
