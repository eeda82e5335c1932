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
  /** Its state after its latest message (unset until its first), for waits (waiters.ts). */
  latest?: { readonly state: unknown; readonly seq: number; readonly ticket: number };
  /** Its latest state is at rest (Decider.atRest): it stops as soon as it is idle. */
  atRest: boolean;
  readonly crashes: number[];
}

/** A resident not yet spawned: the runtime sets `ref` once nact has spawned its actor. */
export function newResident(key: string, kind: string, shard: number, nowMs: number): Resident {
  return { key, kind, shard, ref: undefined as never, inFlight: 0, unanswered: new Set(), lastActiveMs: nowMs, lastSeq: 0, atRest: false, crashes: [] };
}

export interface ResidentInfo {
  readonly key: string;
  readonly kind: string;
  readonly mailboxDepth: number;
  readonly lastSeq: number;
  readonly idleMs: number;
  readonly restarts: number;
  /** Saga steps this actor has running against other actors (saga.ts). */
  readonly effectsInFlight: number;
}

/** What operators see of a resident actor at monotonic time `nowMs`. */
export function residentInfo(resident: Resident, nowMs: number, effectsInFlight: number): ResidentInfo {
  return {
    key: resident.key,
    kind: resident.kind,
    mailboxDepth: resident.inFlight,
    lastSeq: resident.lastSeq,
    idleMs: Math.round(nowMs - resident.lastActiveMs),
    restarts: resident.crashes.length,
    effectsInFlight,
  };
}

/** The runtime's nact parent of a key (not the cluster's placement shard, cluster/shards.ts). */
export function parentShardOf(key: string, parentCount: number): number {
  // FNV-1a: cheap, stable and well spread for short string keys.
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % parentCount;
}
