/**
 * Idempotent replies (DESIGN.md §5): a command sent again with the same command id gets the
 * first answer again, status and body, marked `Idempotent-Replayed: true`, as Stripe does with
 * idempotency keys. The same id with a different request is refused `conflicting_retry`.
 *
 * Only accepted answers (2xx) are kept. A refusal wrote nothing, so a retry is decided afresh
 * (an order `awaiting_checkout` may ship a moment later); the actors' own command-id
 * idempotency still makes every retried effect happen once, also when the process died between
 * the effect and the save. So the answer does not wait for the save: the store holds the reply
 * at once and writes it behind (persistence/adapters/command-replies.ts).
 */
import { createHash } from 'node:crypto';
import type { ReplyStore } from '../persistence/adapters/command-replies.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ApiResponse } from './http.ts';
import { ApiError, json } from './http.ts';

export const replayHeader = 'Idempotent-Replayed';

export interface ReplayScope {
  /** The route and the caller, e.g. `wallet/deposit:<userId>`. */
  readonly scope: string;
  readonly commandId: string;
  /** What the request asks for; a retry must ask the same. */
  readonly request: unknown;
}

function fingerprintOf(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request) ?? '').digest('base64url');
}

export async function replayable(
  context: { readonly replies: ReplyStore; readonly clock: Clock; readonly logger: Logger },
  key: ReplayScope,
  run: () => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const fingerprint = fingerprintOf(key.request);
  const stored = await context.replies.find(key.scope, key.commandId);
  if (stored !== null) {
    if (stored.fingerprint !== fingerprint) {
      throw new ApiError(409, 'conflicting_retry', `command ${key.commandId} was already used for another request`);
    }
    return json(stored.status, stored.body, { [replayHeader]: 'true' });
  }
  const response = await run();
  if (response.status >= 200 && response.status < 300 && response.body.kind === 'json') {
    context.replies.save(key.scope, key.commandId, { fingerprint, status: response.status, body: response.body.value }, context.clock.now()).catch((error: unknown) => {
      context.logger.warn({ err: error, scope: key.scope }, 'a command reply was not kept; a retry runs again and gets the same effect');
    });
  }
  return response;
}
