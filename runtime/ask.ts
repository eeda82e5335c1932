/**
 * Our own request/response over nact (DESIGN.md §7): each message carries its own reply
 * callback, so a reply can only ever reach the caller that asked, and every ask has a timeout.
 */
export interface Failure {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

export function failure(code: string, message: string): Failure {
  return { ok: false, code, message };
}

export type Reply<T> = (result: T) => void;

/**
 * The codes the runtime itself answers with, as opposed to a decider's rejection. Each means
 * that nothing was decided (or that the caller cannot know what was): the same command may be
 * sent again later, and the target's idempotency makes that safe.
 * - `rolled_back` answers a command that reports an answer whose entry was lost with its batch
 *   (commit-log.ts); the saga re-runs the step.
 * - `not_owner` (cluster mode, cluster/ownership.ts): another node serves the key now; the same
 *   command is decided there, or here once this node owns the key again.
 * - `unknown_actor_kind` is a wiring fault, not a business answer: recording it as a step's
 *   outcome would journal a failure forever, while a fixed deployment can still succeed.
 */
export const transientFailureCodes: ReadonlySet<string> = new Set([
  'timeout',
  'unavailable',
  'mailbox_full',
  'actor_stopped',
  'overloaded',
  'conflict',
  'rolled_back',
  'unknown_actor_kind',
  'not_owner',
]);

export function isTransientFailure(result: { readonly ok: boolean; readonly code?: string }): boolean {
  return !result.ok && result.code !== undefined && transientFailureCodes.has(result.code);
}

/**
 * Runs `deliver` with a reply callback that settles the returned promise once. A late reply
 * after the timeout is ignored: the command may still have taken effect, which is why every
 * command carries an idempotency id and the caller retries with the same id.
 */
export function askWithTimeout<T>(
  deliver: (reply: Reply<T | Failure>) => void,
  timeoutMs: number,
  onTimeout: () => Failure = () => failure('timeout', `no reply within ${timeoutMs} ms`),
): Promise<T | Failure> {
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      resolve(onTimeout());
    }, timeoutMs);
    deliver((result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    });
  });
}
