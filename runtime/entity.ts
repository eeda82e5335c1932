/**
 * Binds a pure Decider to one actor's message loop (DESIGN.md §2a): rehydrate (snapshot +
 * journal tail), decide on the in-memory state, hand one entry per accepted command to the
 * commit log without waiting for it, evolve, and snapshot every N entries once they are durable.
 * nact guarantees one message at a time per actor, so this code never races with itself.
 * Every result carries the ticket it depends on; the runtime holds answers that leave the
 * process until that ticket is durable. Another process writing the same key is caught by the
 * journal's (key, seq) guard: the batch is refused and every actor resting on it reloads.
 */
import type { Journal, JournalEntry } from '../persistence/adapters/journal.ts';
import type { CommitLog } from './commit-log.ts';
import { CommandIds } from './command-ids.ts';
import type { Snapshot, SnapshotStore } from '../persistence/adapters/snapshots.ts';
import type { ShardOwnership } from './cluster/ownership.ts';
import type { StreamReader } from '../persistence/adapters/streams.ts';
import type { KnownKeys } from './known-keys.ts';
import type { StreamLoader } from './stream-loader.ts';
import type { Clock } from './clock.ts';
import type { Decider, Rejected } from '../actors/decider.ts';
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
  /** Called for every entry once it is durable, for example to wake the event processor. */
  readonly onJournaled?: (key: string, seq: number) => void;
  /** Reads actors' streams to load them; without it, through `journal` and `snapshots`. */
  readonly streams?: StreamReader;
  /** Cluster mode (issue #16): which keys this node serves, and the fence of its batches.
   *  Without it the runtime serves every key and writes unfenced, as a single node. */
  readonly ownership?: ShardOwnership;
  /** The journal's keys, where this process is its only writer (known-keys.ts): an actor whose
   *  key it has never seen loads with no query. */
  readonly knownKeys?: KnownKeys;
}

/** What the entity code needs beyond its deps: the runtime's commit log. */
export interface EntityContext extends EntityDeps {
  readonly log: CommitLog;
  readonly loader: StreamLoader;
}

export interface Loaded<S> {
  readonly loaded: true;
  readonly state: S;
  readonly seq: number;
  readonly snapshotSeq: number;
  /** Entries between snapshots for this actor (snapshotEvery, or more for a big state); shared by
   *  the actor's successive cells, since a save learns the state's size after they moved on. */
  readonly snapshotGap: { entries: number };
  /** The ticket of this actor's latest entry handed to the log; 0 when it holds only stored ones. */
  readonly ticket: number;
  readonly commandIds: CommandIds;
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

/** A reply with the log ticket it depends on (0: nothing this process still has to write). */
export type TicketedReply<T> = (result: T, ticket: number) => void;

export type EntityMessage<C, E, S> =
  | {
      readonly type: 'command';
      readonly command: C;
      readonly reply: TicketedReply<CommandResult<E, S>>;
      /** Set by the saga driver on the command that records a step's outcome (runtime/saga.ts):
       *  once it is accepted, the step is no longer in flight for this actor. */
      readonly effectStep?: string;
      /** The tickets this command rests on outside its own actor: the answer a saga step's
       *  outcome reports, and the saga's basis (the entry that made the step pending). If any is
       *  lost, the command is refused, since it would journal an effect whose cause never happened. */
      readonly dependsOn?: readonly number[];
    }
  | { readonly type: 'inspect'; readonly reply: TicketedReply<Inspection<S> | Failure> };

type AnyDecider<S, C, E> = Decider<S, C, E, string>;

/** Loads the durable state, after whatever this process still has in flight for the key settled. */
export async function rehydrate<S, C, E>(
  decider: AnyDecider<S, C, E>,
  deps: EntityContext,
  key: string,
): Promise<Loaded<S>> {
  await deps.log.settledKey(key);
  // Read with every other actor loading in this turn (stream-loader.ts): the snapshot and the
  // first page of entries after it.
  const stream = await deps.loader.load(key);
  // The store holds whatever state this key's actor saved; this actor reads it back as S.
  const snapshot = stream.snapshot as Snapshot<S> | null;
  const usable = snapshot !== null && snapshot.version === decider.stateVersion;
  let state = usable ? snapshot.state : decider.initialState;
  let seq = usable ? snapshot.seq : 0;
  // The snapshot's own filter when it carries one; an older snapshot's ids are read, all of them.
  const carried = usable && snapshot.commandIdHashes !== undefined ? CommandIds.fromHashes(snapshot.commandIdHashes) : null;
  const commandIds = carried ?? CommandIds.of(usable && seq > 0 ? await deps.journal.commandIds(key) : []);
  // A snapshot of another version is ignored: the stream is then read from its start.
  let page = (snapshot === null || usable ? stream.entries : await deps.journal.read(key, 0, deps.limits.rehydratePageSize)) as readonly JournalEntry<E>[];
  for (;;) {
    for (const entry of page) {
      invariant(entry.seq === seq + 1, `${key}: journal seq ${entry.seq} follows ${seq}`);
      state = entry.events.reduce(decider.evolve, state);
      seq = entry.seq;
      commandIds.note(entry.commandId);
    }
    if (page.length < deps.limits.rehydratePageSize) break;
    page = await deps.journal.read<E>(key, seq, deps.limits.rehydratePageSize);
  }
  const snapshotGap = { entries: deps.limits.snapshotEvery };
  return { loaded: true, state, seq, snapshotSeq: usable ? snapshot.seq : 0, snapshotGap, ticket: 0, commandIds };
}

/** Replays a journal from nothing; the reference that snapshots and live state must equal. */
export function replay<S, C, E>(decider: AnyDecider<S, C, E>, entries: readonly JournalEntry<E>[]): S {
  return entries.reduce((state, entry) => entry.events.reduce(decider.evolve, state), decider.initialState);
}

/** Snapshots once the entry is durable, off the actor's path: a snapshot must never hold
 *  speculative state, and it is only a cache, so a failed one waits for the next chance. */
function maybeSnapshot<S>(deps: EntityContext, key: string, version: number, cell: Loaded<S>): Loaded<S> {
  if (cell.seq - cell.snapshotSeq < cell.snapshotGap.entries) return cell;
  const { seq, state, ticket } = cell;
  void deps.log.whenDurable(ticket).then(async (lost) => {
    if (lost !== null) return;
    try {
      // The filter as it is now: every id up to seq, and perhaps later ones (command-ids.ts).
      const bytes = await deps.snapshots.save({ key, seq, version, state, at: deps.clock.now(), commandIdHashes: cell.commandIds.hashes() });
      cell.snapshotGap.entries = Math.max(deps.limits.snapshotEvery, Math.ceil(bytes / deps.limits.snapshotBytesPerEntry));
    } catch (error) {
      deps.logger.warn({ key, err: error }, 'snapshot failed; will retry after the next entries');
    }
  });
  return { ...cell, snapshotSeq: seq };
}

export interface Executed<E, S> {
  readonly cell: Loaded<S>;
  readonly result: CommandResult<E, S>;
  /** The ticket the result depends on: the new entry, or the actor's latest one. */
  readonly ticket: number;
}

/** The first result of a retried command id, from memory, or from the journal on a hash hit. */
async function originalOf<E, S>(deps: EntityContext, key: string, cell: Loaded<S>, commandId: string): Promise<Executed<E, S> | null> {
  if (!cell.commandIds.mightHold(commandId)) return null;
  const recent = cell.commandIds.recentEntry(commandId);
  const original = recent ?? (await deps.journal.findByCommandId<E>(key, commandId));
  if (original === null) return null;
  const result: Accepted<E, S> = { ok: true, seq: original.seq, events: original.events as readonly E[], duplicate: true, state: cell.state };
  return { cell, result, ticket: cell.ticket };
}

/** An accepted decision, with the state its events lead to when the decider already has it. */
interface Accepting<S, E> {
  readonly events: readonly E[];
  readonly state?: S;
}

function decideOnce<S, C, E>(decider: AnyDecider<S, C, E>, state: S, command: C, now: number): Accepting<S, E> | Rejected {
  if (decider.decideWithState !== undefined) return decider.decideWithState(state, command, now);
  const decision = decider.decide(state, command, now);
  return isRejected(decision) ? decision : { events: decision };
}

export async function execute<S, C, E>(
  decider: AnyDecider<S, C, E>,
  deps: EntityContext,
  key: string,
  cell: Loaded<S>,
  command: C,
  dependsOn: readonly number[] = [],
): Promise<Executed<E, S>> {
  if (dependsOn.some((ticket) => deps.log.lostReason(ticket) !== null)) {
    return { cell, result: failure('rolled_back', 'a cause this command rests on was rolled back'), ticket: 0 };
  }
  const commandId = decider.commandId(command);
  const original = await originalOf<E, S>(deps, key, cell, commandId);
  if (original !== null) return original;
  const now = deps.clock.now();
  const decided = decideOnce(decider, cell.state, command, now);
  if ('rejected' in decided || decided.events.length === 0) {
    // Decided from memory with no query; the guard makes the next batch check that no other
    // process moved this key meanwhile, and the answer is released only once it passed.
    const ticket = deps.log.guard(key, cell.seq, [cell.ticket, ...dependsOn]);
    const guarded = { ...cell, ticket };
    if ('rejected' in decided) return { cell: guarded, result: failure(decided.rejected, decided.message), ticket };
    return { cell: guarded, result: { ok: true, seq: cell.seq, events: [], duplicate: false, state: cell.state }, ticket };
  }
  const decision = decided.events;
  const entry: JournalEntry<E> = { key, seq: cell.seq + 1, events: decision, commandId, at: now };
  const unstorable = deps.journal.unstorable(entry);
  // Such an entry would fail its whole batch; it fails alone, as a fault of this command.
  if (unstorable !== null) throw new TypeError(unstorable);
  // Known before the entry reaches the log, so a reload of this key always reads the store, and
  // never a stream read ahead of this entry (stream-loader.ts).
  deps.knownKeys?.add(key);
  deps.loader.forget(key);
  const ticket = deps.log.append(entry, [cell.ticket, ...dependsOn]);
  invariant(ticket > cell.ticket, `${key}: ticket ${ticket} follows ${cell.ticket}`);
  cell.commandIds.add(commandId, { seq: entry.seq, events: decision, ticket }, (held) => deps.log.isDurable(held));
  const state = decided.state ?? decision.reduce(decider.evolve, cell.state);
  const next = maybeSnapshot(deps, key, decider.stateVersion, { ...cell, state, seq: entry.seq, ticket });
  return { cell: next, result: { ok: true, seq: entry.seq, events: decision, duplicate: false, state }, ticket };
}
