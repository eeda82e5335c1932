/**
 * Binds a pure Decider to one actor's message loop: rehydrate (snapshot + journal tail),
 * decide, journal one entry per accepted command, evolve, and snapshot every N entries.
 * nact guarantees one message at a time per actor, so this code never races with itself;
 * another process writing the same key is caught by the journal's VersionConflict.
 */
import type { Journal, JournalEntry } from '../persistence/adapters/journal.ts';
import { VersionConflict } from '../persistence/adapters/journal.ts';
import type { SnapshotStore } from '../persistence/adapters/snapshots.ts';
import type { Clock } from './clock.ts';
import type { Decider } from '../actors/decider.ts';
import { isRejected } from '../actors/decider.ts';
import type { Failure, Reply } from './ask.ts';
import { failure } from './ask.ts';
import { invariant } from './assert.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './logger.ts';

export interface EntityDeps {
  readonly journal: Journal;
  readonly snapshots: SnapshotStore;
  readonly clock: Clock;
  readonly limits: Limits;
  readonly logger: Logger;
  /** Called after every new journal entry, for example to wake the event processor. */
  readonly onJournaled?: (key: string, seq: number) => void;
}

export interface Loaded<S> {
  readonly loaded: true;
  readonly state: S;
  readonly seq: number;
  readonly snapshotSeq: number;
}
export type Cell<S> = { readonly loaded: false } | Loaded<S>;

export interface Accepted<E, S> {
  readonly ok: true;
  readonly seq: number;
  readonly events: readonly E[];
  /** The command id was journaled before; `events` are the original ones. */
  readonly duplicate: boolean;
  readonly state: S;
}
export type CommandResult<E, S> = Accepted<E, S> | Failure;

export interface Inspection<S> {
  readonly ok: true;
  readonly state: S;
  readonly seq: number;
}

export type EntityMessage<C, E, S> =
  | {
      readonly type: 'command';
      readonly command: C;
      readonly reply: Reply<CommandResult<E, S>>;
      /** Set by the saga driver on the command that records a step's outcome (runtime/saga.ts):
       *  once it is accepted, the step is no longer in flight for this actor. */
      readonly effectStep?: string;
    }
  | { readonly type: 'inspect'; readonly reply: Reply<Inspection<S> | Failure> };

type AnyDecider<S, C, E> = Decider<S, C, E, string>;

export async function rehydrate<S, C, E>(
  decider: AnyDecider<S, C, E>,
  deps: EntityDeps,
  key: string,
): Promise<Loaded<S>> {
  const snapshot = await deps.snapshots.load<S>(key);
  const usable = snapshot !== null && snapshot.version === decider.stateVersion;
  let state = usable ? snapshot.state : decider.initialState;
  let seq = usable ? snapshot.seq : 0;
  for (;;) {
    const page = await deps.journal.read<E>(key, seq, deps.limits.rehydratePageSize);
    for (const entry of page) {
      invariant(entry.seq === seq + 1, `${key}: journal seq ${entry.seq} follows ${seq}`);
      state = entry.events.reduce(decider.evolve, state);
      seq = entry.seq;
    }
    if (page.length < deps.limits.rehydratePageSize) break;
  }
  return { loaded: true, state, seq, snapshotSeq: usable ? snapshot.seq : 0 };
}

/** Replays a journal from nothing; the reference that snapshots and live state must equal. */
export function replay<S, C, E>(decider: AnyDecider<S, C, E>, entries: readonly JournalEntry<E>[]): S {
  return entries.reduce((state, entry) => entry.events.reduce(decider.evolve, state), decider.initialState);
}

async function maybeSnapshot<S>(deps: EntityDeps, key: string, version: number, cell: Loaded<S>): Promise<Loaded<S>> {
  if (cell.seq - cell.snapshotSeq < deps.limits.snapshotEvery) return cell;
  try {
    await deps.snapshots.save({ key, seq: cell.seq, version, state: cell.state, at: deps.clock.now() });
    return { ...cell, snapshotSeq: cell.seq };
  } catch (error) {
    // A snapshot is only a cache: failing to write one must not fail the command.
    deps.logger.warn({ key, err: error }, 'snapshot failed; will retry at the next entry');
    return cell;
  }
}

/**
 * Looks up whether this command id was journaled before and whether the journal has moved past
 * this actor's state. Both matter only when a command is rejected or changes nothing:
 * - a retry of a command that succeeded earlier may be rejected now (say, a withdrawal after the
 *   balance moved on) or be a no-op (an order step applied already); it must return its first
 *   result, e.g. a saga step re-run after a crash gets the seller's StockReserved with prices;
 * - another node may have written this key since we loaded it (two nodes, one key): a rejection
 *   decided on stale state, such as `insufficient_funds` after a deposit elsewhere, is wrong.
 */
async function lookBack<E>(deps: EntityDeps, key: string, commandId: string, seq: number) {
  const [original, lastSeq] = await Promise.all([deps.journal.findByCommandId<E>(key, commandId), deps.journal.lastSeq(key)]);
  return { original, stale: lastSeq > seq };
}

function asDuplicate<E, S>(original: JournalEntry<E>, state: S): CommandResult<E, S> {
  return { ok: true, seq: original.seq, events: original.events, duplicate: true, state };
}

export async function execute<S, C, E>(
  decider: AnyDecider<S, C, E>,
  deps: EntityDeps,
  key: string,
  loaded: Loaded<S>,
  command: C,
): Promise<{ cell: Loaded<S>; result: CommandResult<E, S> }> {
  const commandId = decider.commandId(command);
  let cell = loaded;
  for (let attempt = 0; attempt <= deps.limits.conflictRetriesMax; attempt += 1) {
    const now = deps.clock.now();
    const decision = decider.decide(cell.state, command, now);
    if (isRejected(decision) || decision.length === 0) {
      const { original, stale } = await lookBack<E>(deps, key, commandId, cell.seq);
      if (stale) {
        deps.logger.info({ key, attempt }, 'journal moved past this actor; reloading');
        cell = await rehydrate(decider, deps, key);
        continue;
      }
      if (original !== null) return { cell, result: asDuplicate(original, cell.state) };
      if (isRejected(decision)) return { cell, result: failure(decision.rejected, decision.message) };
      return { cell, result: { ok: true, seq: cell.seq, events: [], duplicate: false, state: cell.state } };
    }
    try {
      const { entry, duplicate } = await deps.journal.append(key, cell.seq, { events: decision, commandId, at: now });
      if (duplicate) {
        // The original may be newer than our state (written by another node): catch up first.
        if (entry.seq > cell.seq) cell = await rehydrate(decider, deps, key);
        return { cell, result: asDuplicate(entry, cell.state) };
      }
      invariant(entry.seq === cell.seq + 1, `${key}: appended seq ${entry.seq} follows ${cell.seq}`);
      deps.onJournaled?.(key, entry.seq);
      const state = decision.reduce(decider.evolve, cell.state);
      cell = await maybeSnapshot(deps, key, decider.stateVersion, { ...cell, state, seq: entry.seq });
      return { cell, result: { ok: true, seq: entry.seq, events: decision, duplicate: false, state } };
    } catch (error) {
      if (!(error instanceof VersionConflict)) throw error;
      // Another writer got there first: our state is stale. Reload and decide again.
      deps.logger.info({ key, attempt }, 'version conflict; reloading');
      cell = await rehydrate(decider, deps, key);
    }
  }
  return { cell, result: failure('conflict', `${key} kept changing under this command; retry it`) };
}
