/** What the runtime keeps about one actor in memory: its ref, shard, mailbox depth and activity. */
import type { Failure } from './ask.ts';
import type { EntityMessage } from './entity.ts';
import type { ActorRef } from './nact.ts';

export interface Resident {
  readonly key: string;
  readonly kind: string;
  readonly shard: number;
  readonly ref: ActorRef<EntityMessage<unknown, unknown, unknown>>;
  /** Messages dispatched and not yet finished: the mailbox depth. */
  inFlight: number;
  /** How to answer each caller whose message is dispatched and not yet answered, so that an
   *  actor stopped with messages in its mailbox (its shard lost) answers them at once. */
  readonly unanswered: Set<(failure: Failure) => void>;
  lastActiveMs: number;
  lastSeq: number;
  readonly crashes: number[];
}
