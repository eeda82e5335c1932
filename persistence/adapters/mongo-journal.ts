/**
 * The journal port on MongoDB (DESIGN.md §6: `MONGO_URL` sends events there), with group
 * commit: one unordered `insertMany` per round of a batch.
 *
 * Ownership: `openMongoJournal` opens its own client and `close()` closes it; a MongoJournal
 * built on a caller's collection leaves that client open.
 */
import type { ClientSession, Collection, Filter } from 'mongodb';
import { MongoBulkWriteError, MongoClient } from 'mongodb';
import type { GroupCommitStats, Outcome } from './group-commit.ts';
import { GroupCommit } from './group-commit.ts';
import type { AppendResult, ConsumerCheckpoint, EntryPosition, GroupCommitOptions, Journal, JournalEntry, LoggedEntry, NewEntry, ShardFence } from './journal.ts';
import { BatchRefused, VersionConflict } from './journal.ts';
import { guardsToCheck } from './journal-checks.ts';
import type { PendingAppend } from './journal-batch.ts';
import { roundsByKey } from './journal-batch.ts';
import { submitAppend } from './journal-append.ts';
import { checkAppend, checkAppended, checkAscending, checkBatch, checkLimit, checkPositions, checkStreamPage } from './journal-checks.ts';

/** The one document that hands out positions, and each consumer's checkpoint, in side collections. */
interface HeadDocument {
  _id: string;
  position: number;
}

export interface JournalDocument {
  /** The global position in commit order (DESIGN.md §2a); documents written before it have none. */
  readonly position?: number;
  readonly key: string;
  readonly seq: number;
  readonly commandId: string;
  readonly events: readonly unknown[];
  readonly at: number;
}

const duplicateKeyCode = 11000;
const entryProjection = { _id: 0, key: 1, seq: 1, commandId: 1, events: 1, at: 1 } as const;

export async function openMongoJournal(
  url: string,
  dbName: string,
  options: GroupCommitOptions,
): Promise<MongoJournal> {
  // JSON (the SQL journal's storage) drops undefined fields; BSON would store them as null.
  const client = new MongoClient(url, { ignoreUndefined: true });
  await client.connect();
  try {
    const collection = client.db(dbName).collection<JournalDocument>('journal');
    await createJournalIndexes(collection);
    return new MongoJournal(collection, options, client, client);
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Idempotent: creating an index that exists with the same spec does nothing. */
export async function createJournalIndexes(collection: Collection<JournalDocument>): Promise<void> {
  await collection.createIndexes([
    // The optimistic-concurrency guard and the idempotency guard (DESIGN.md §2).
    { key: { key: 1, seq: 1 }, name: 'key_seq', unique: true },
    { key: { key: 1, commandId: 1 }, name: 'key_command_id', unique: true },
    { key: { position: 1 }, name: 'position', unique: true, partialFilterExpression: { position: { $exists: true } } },
  ]);
}

export class MongoJournal implements Journal {
  private readonly commits: GroupCommit<PendingAppend, AppendResult>;

  constructor(
    private readonly collection: Collection<JournalDocument>,
    options: GroupCommitOptions,
    private readonly ownedClient: MongoClient | null = null,
    /** The client whose sessions run `commit`'s multi-document transactions (a replica set). */
    private readonly sessionClient: MongoClient | null = ownedClient,
  ) {
    this.commits = new GroupCommit((appends) => this.writeBatch(appends), options);
  }

  append<E>(key: string, expectedSeq: number, entry: NewEntry<E>): Promise<AppendResult<E>> {
    return submitAppend(this.commits, key, expectedSeq, entry);
  }

  async read<E>(key: string, afterSeq: number, limit: number): Promise<JournalEntry<E>[]> {
    const entries = await this.findEntries({ key, seq: { $gt: afterSeq } }, limit);
    checkStreamPage(key, afterSeq, entries);
    return entries as JournalEntry<E>[];
  }

  async readStreams(streams: readonly { readonly key: string; readonly afterSeq: number }[], limitPerKey: number): Promise<Map<string, JournalEntry[]>> {
    // MongoDB has no per-key limit in one find; each stream is its own indexed read, in parallel.
    const pages = await Promise.all(streams.map(({ key, afterSeq }) => this.read(key, afterSeq, limitPerKey)));
    return new Map(streams.flatMap(({ key }, index) => ((pages[index]?.length ?? 0) > 0 ? [[key, pages[index] ?? []] as const] : [])));
  }

  async findByCommandId<E>(key: string, commandId: string): Promise<JournalEntry<E> | null> {
    const document = await this.collection.findOne({ key, commandId }, { projection: entryProjection });
    return document === null ? null : (toEntry(document) as JournalEntry<E>);
  }

  async lastSeq(key: string): Promise<number> {
    const document = await this.collection.findOne({ key }, { sort: { seq: -1 }, projection: { _id: 0, seq: 1 } });
    return document?.seq ?? 0;
  }

  async readAll(after: EntryPosition | null, limit: number): Promise<JournalEntry[]> {
    const filter: Filter<JournalDocument> =
      after === null ? {} : { $or: [{ key: { $gt: after.key } }, { key: after.key, seq: { $gt: after.seq } }] };
    const entries = await this.findEntries(filter, limit);
    checkAscending(after, entries);
    return entries;
  }

  unstorable(): string | null {
    return null;
  }

  /**
   * One multi-document transaction: reserve positions on the head document (its write conflict
   * orders concurrent writers, so position order is commit order), check each key's first seq
   * against the stored max, and insert every document ordered; any refusal aborts all of it.
   */
  async commit(entries: readonly JournalEntry[], guards: readonly EntryPosition[] = [], fence?: ShardFence): Promise<readonly number[]> {
    // Scale-out's fence (journal.ts, ShardFence) is not built here yet: it needs the lease
    // documents read in the batch's transaction and a takeover that conflicts with that read,
    // which MongoDB gives only by writing the lease document (a later step of issue #16, to be
    // tested against a real replica set). Writing unfenced would let a node that lost its shards
    // go on writing, so a fence is refused outright: cluster mode must run on PostgreSQL.
    if (fence !== undefined) throw new Error('MongoJournal cannot honour a shard fence yet; run cluster mode on PostgreSQL');
    checkBatch(entries);
    const checks = guardsToCheck(entries, guards);
    if (entries.length === 0 && checks.length === 0) return [];
    if (this.sessionClient === null) throw new Error('this MongoJournal was built without a client, so it cannot run transactions');
    const session = this.sessionClient.startSession();
    try {
      const positions = await session.withTransaction(async () => this.commitIn(session, entries, checks));
      checkPositions(entries.length, positions);
      return positions;
    } catch (error) {
      if (error instanceof BatchRefused) throw error;
      const code = (error as { code?: unknown }).code;
      if (code === duplicateKeyCode) {
        const pattern = JSON.stringify((error as { keyPattern?: unknown }).keyPattern ?? {});
        throw new BatchRefused(pattern.includes('commandId') ? 'duplicate' : 'conflict', pattern);
      }
      throw error;
    } finally {
      await session.endSession();
    }
  }

  private async commitIn(session: ClientSession, entries: readonly JournalEntry[], checks: readonly EntryPosition[]): Promise<number[]> {
    const head = await this.heads().findOneAndUpdate(
      { _id: 'head' },
      { $inc: { position: entries.length } },
      { upsert: true, returnDocument: 'after', session },
    );
    const base = (head?.position ?? entries.length) - entries.length;
    const firstSeqs = new Map<string, number>();
    for (const entry of entries) if (!firstSeqs.has(entry.key)) firstSeqs.set(entry.key, entry.seq);
    const maxSeqs = await this.maxSeqs([...firstSeqs.keys(), ...checks.map((check) => check.key)], session);
    for (const [key, seq] of firstSeqs) {
      if ((maxSeqs.get(key) ?? 0) !== seq - 1) throw new BatchRefused('conflict', `${key}#${seq} does not follow the stored seq`);
    }
    for (const { key, seq } of checks) {
      if ((maxSeqs.get(key) ?? 0) !== seq) throw new BatchRefused('conflict', `${key} moved past seq ${seq}`);
    }
    const documents = entries.map((entry, index) => ({
      position: base + index + 1, key: entry.key, seq: entry.seq, commandId: entry.commandId, events: entry.events, at: entry.at,
    }));
    await this.collection.insertMany(documents, { ordered: true, session });
    return documents.map((document) => document.position);
  }

  async readAfter(after: number, limit: number): Promise<LoggedEntry[]> {
    checkLimit(limit);
    if (limit === 0) return [];
    const documents = await this.collection
      .find({ position: { $gt: after } }, { projection: { ...entryProjection, position: 1 } })
      .sort({ position: 1 })
      .limit(limit)
      .toArray();
    return documents.map((document) => ({ ...toEntry(document), position: document.position ?? 0 }));
  }

  async headPosition(): Promise<number> {
    return (await this.heads().findOne({ _id: 'head' }))?.position ?? 0;
  }

  async commandIds(key: string): Promise<string[]> {
    const documents = await this.collection.find({ key }, { projection: { _id: 0, commandId: 1 } }).toArray();
    return documents.map((document) => document.commandId);
  }

  async checkpoint(consumer: string): Promise<number> {
    return (await this.checkpoints().findOne({ _id: consumer }))?.position ?? 0;
  }

  async saveCheckpoints(checkpoints: readonly ConsumerCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    await this.checkpoints().bulkWrite(
      checkpoints.map(({ consumer, position }) => ({ updateOne: { filter: { _id: consumer }, update: { $max: { position } }, upsert: true } })),
      { ordered: false },
    );
  }

  private heads(): Collection<HeadDocument> {
    return this.collection.db.collection<HeadDocument>(`${this.collection.collectionName}_head`);
  }

  private checkpoints(): Collection<HeadDocument> {
    return this.collection.db.collection<HeadDocument>('consumer_checkpoints');
  }

  async keys(prefix: string): Promise<string[]> {
    // Every key has exactly one seq 1, so this lists each key once without a distinct pass.
    const documents = await this.collection
      .find({ key: { $regex: `^${escapeRegex(prefix)}` }, seq: 1 }, { projection: { _id: 0, key: 1 } })
      .sort({ key: 1 })
      .toArray();
    return documents.map((document) => document.key);
  }

  stats(): GroupCommitStats {
    return this.commits.stats();
  }

  async close(): Promise<void> {
    await this.commits.close();
    await this.ownedClient?.close();
  }

  private async findEntries(filter: Filter<JournalDocument>, limit: number): Promise<JournalEntry[]> {
    checkLimit(limit);
    // MongoDB reads limit(0) as "no limit".
    if (limit === 0) return [];
    const documents = await this.collection
      .find(filter, { projection: entryProjection })
      .sort({ key: 1, seq: 1 })
      .limit(limit)
      .toArray();
    return documents.map(toEntry);
  }

  private async writeBatch(appends: readonly PendingAppend[]): Promise<Outcome<AppendResult>[]> {
    const outcomes: Outcome<AppendResult>[] = [];
    for (const round of roundsByKey(appends)) {
      const roundOutcomes = await this.writeRound(round.map((index) => appends[index] as PendingAppend));
      round.forEach((appendIndex, roundIndex) => {
        outcomes[appendIndex] = roundOutcomes[roundIndex] as Outcome<AppendResult>;
      });
    }
    return outcomes;
  }

  /**
   * Appends a round (each key at most once). MongoDB has no conditional multi-document insert,
   * so the gap check reads every key's max seq first; a writer racing in between is still
   * caught by the unique (key, seq) index, because seqs only grow.
   */
  private async writeRound(appends: readonly PendingAppend[]): Promise<Outcome<AppendResult>[]> {
    const maxSeqs = await this.maxSeqs(appends.map((append) => append.key));
    const candidates = appends.filter((append) => (maxSeqs.get(append.key) ?? 0) === append.expectedSeq);
    const { failed, errors } = await this.insertUnordered(candidates);
    const refused = new Set(appends.filter((append) => !candidates.includes(append) || failed.has(append)));
    const originals = await this.findOriginals([...refused]);
    return appends.map((append): Outcome<AppendResult> => {
      const error = errors.get(append);
      if (error !== undefined) return { ok: false, error };
      if (!refused.has(append)) {
        const { commandId, events, at } = append.entry;
        const entry = { key: append.key, seq: append.expectedSeq + 1, events, commandId, at };
        return { ok: true, value: { entry, duplicate: false } };
      }
      const original = originals.get(append.key);
      if (original !== undefined) return { ok: true, value: { entry: original, duplicate: true } };
      return { ok: false, error: new VersionConflict(append.key, append.expectedSeq) };
    });
  }

  private async maxSeqs(keys: readonly string[], session?: ClientSession): Promise<Map<string, number>> {
    // Sorting exactly against the (key, seq) index lets the server walk it backwards and stop
    // at each key's first entry ($sort + $group/$first), instead of reading whole streams.
    const rows = await this.collection
      .aggregate<{ _id: string; maxSeq: number }>([
        { $match: { key: { $in: keys } } },
        { $sort: { key: -1, seq: -1 } },
        { $group: { _id: '$key', maxSeq: { $first: '$seq' } } },
      ], session === undefined ? {} : { session })
      .toArray();
    return new Map(rows.map((row) => [row._id, row.maxSeq]));
  }

  /** Inserts every candidate; duplicate-key refusals land in `failed`, other per-document errors in `errors`. */
  private async insertUnordered(candidates: readonly PendingAppend[]): Promise<{
    failed: Set<PendingAppend>;
    errors: Map<PendingAppend, unknown>;
  }> {
    const failed = new Set<PendingAppend>();
    const errors = new Map<PendingAppend, unknown>();
    if (candidates.length === 0) return { failed, errors };
    // Outside a transaction, so positions follow reservation order; group commit writes one
    // round at a time, so within this process that is commit order.
    const reserved = await this.heads().findOneAndUpdate({ _id: 'head' }, { $inc: { position: candidates.length } }, { upsert: true, returnDocument: 'after' });
    const base = (reserved?.position ?? candidates.length) - candidates.length;
    const documents = candidates.map(({ key, expectedSeq, entry }, index) => ({
      position: base + index + 1,
      key,
      seq: expectedSeq + 1,
      commandId: entry.commandId,
      events: entry.events,
      at: entry.at,
    }));
    try {
      await this.collection.insertMany(documents, { ordered: false });
    } catch (error) {
      // Anything but per-document errors (a lost connection, a write concern failure) fails the
      // whole batch; retried commands then come back as duplicates, so no append is doubled.
      // The driver also wraps network errors in MongoBulkWriteError, with no write errors.
      if (!(error instanceof MongoBulkWriteError)) throw error;
      if (error.result.getWriteConcernError() !== undefined) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (writeErrors.length === 0) throw error;
      for (const writeError of writeErrors) {
        const candidate = candidates[writeError.index];
        if (candidate === undefined) throw error;
        if (writeError.code === duplicateKeyCode) failed.add(candidate);
        else errors.set(candidate, new Error(`journal insert of ${candidate.key} failed: ${writeError.errmsg ?? writeError.code}`));
      }
    }
    return { failed, errors };
  }

  private async findOriginals(refused: readonly PendingAppend[]): Promise<Map<string, JournalEntry>> {
    if (refused.length === 0) return new Map();
    const documents = await this.collection
      .find({ $or: refused.map(({ key, entry }) => ({ key, commandId: entry.commandId })) }, { projection: entryProjection })
      .toArray();
    return new Map(documents.map((document) => [document.key, toEntry(document)]));
  }
}

function toEntry(document: Pick<JournalDocument, 'key' | 'seq' | 'commandId' | 'events' | 'at'>): JournalEntry {
  if (!Array.isArray(document.events)) throw new Error(`journal document ${document.key}#${document.seq} holds non-array events`);
  return { key: document.key, seq: document.seq, events: document.events, commandId: document.commandId, at: document.at };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
