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
