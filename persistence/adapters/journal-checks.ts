/**
 * Argument checks and read invariants both journal adapters share (STYLE.md, "Assert
 * invariants"). A failure here is a bug or a corrupt store, never a business outcome, so
 * these throw.
 */
import type { AppendResult, EntryPosition, JournalEntry, NewEntry } from './journal.ts';
import type { PendingAppend } from './journal-batch.ts';

/** Seqs are SQL `integer` columns; a larger one would fail the whole batch's statement. */
const maxSeq = 2_147_483_647;

export function checkAppend(key: string, expectedSeq: number, entry: NewEntry): void {
  if (key.length === 0) throw new TypeError('a journal key must not be empty');
  if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0 || expectedSeq >= maxSeq) {
    throw new RangeError(`expectedSeq must be an integer in [0, ${maxSeq}), got ${expectedSeq}`);
  }
  if (entry.commandId.length === 0) throw new TypeError(`an entry of ${key} has an empty commandId`);
  if (!Number.isSafeInteger(entry.at)) throw new RangeError(`entry.at must be epoch ms, got ${entry.at}`);
  if (!Array.isArray(entry.events)) throw new TypeError(`entry.events of ${key} must be an array`);
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be an integer >= 0, got ${limit}`);
}

/** A fresh append lands exactly one past the seq its writer saw. */
export function checkAppended(append: PendingAppend, result: AppendResult): void {
  if (result.entry.key !== append.key) {
    throw new Error(`append to ${append.key} returned an entry of ${result.entry.key}`);
  }
  if (!result.duplicate && result.entry.seq !== append.expectedSeq + 1) {
    throw new Error(`append to ${append.key} expected seq ${append.expectedSeq + 1}, stored ${result.entry.seq}`);
  }
}

/** One key's page: seqs run afterSeq+1, afterSeq+2, … with no gap. */
export function checkStreamPage(key: string, afterSeq: number, entries: readonly JournalEntry[]): void {
  entries.forEach((entry, index) => {
    if (entry.key !== key) throw new Error(`reading ${key} returned an entry of ${entry.key}`);
    if (entry.seq !== afterSeq + 1 + index) {
      throw new Error(`journal of ${key} has a gap: expected seq ${afterSeq + 1 + index}, found ${entry.seq}`);
    }
  });
}

/** A cross-key page is strictly ascending in (key, seq), starting after `after`. */
export function checkAscending(after: EntryPosition | null, entries: readonly JournalEntry[]): void {
  let previous = after;
  for (const entry of entries) {
    if (previous !== null && comparePositions(previous, entry) >= 0) {
      throw new Error(`journal page out of order: ${entry.key}#${entry.seq} after ${previous.key}#${previous.seq}`);
    }
    previous = entry;
  }
}

/** Bytewise key order, the order every adapter stores (the SQL column is COLLATE "C"). */
export function comparePositions(left: EntryPosition, right: EntryPosition): number {
  const byKey = Buffer.compare(Buffer.from(left.key), Buffer.from(right.key));
  return byKey !== 0 ? byKey : left.seq - right.seq;
}

/** A batch for the ordered log: each key's seqs run on by one, and no key repeats a commandId. */
export function checkBatch(entries: readonly JournalEntry[]): void {
  const lastSeqs = new Map<string, number>();
  const commandIds = new Set<string>();
  for (const entry of entries) {
    checkAppend(entry.key, entry.seq - 1, entry);
    const previous = lastSeqs.get(entry.key);
    if (previous !== undefined && entry.seq !== previous + 1) {
      throw new Error(`batch holds ${entry.key}#${entry.seq} after ${entry.key}#${previous}`);
    }
    lastSeqs.set(entry.key, entry.seq);
    const idKey = `${entry.key}\u0000${entry.commandId}`;
    if (commandIds.has(idKey)) throw new Error(`batch repeats commandId ${entry.commandId} of ${entry.key}`);
    commandIds.add(idKey);
  }
}

/** A committed batch got one ascending position per entry. */
export function checkPositions(count: number, positions: readonly number[]): void {
  if (positions.length !== count) throw new Error(`batch of ${count} entries got ${positions.length} positions`);
  positions.forEach((position, index) => {
    if (!Number.isSafeInteger(position) || position <= 0) throw new Error(`batch got position ${position}`);
    if (index > 0 && position <= (positions[index - 1] ?? 0)) throw new Error('batch positions are not ascending');
  });
}

/**
 * The guards a batch must check: one per key (the highest seq), leaving out keys whose entries in
 * the batch reach the guarded seq, since inserting those already proves nobody else wrote there.
 */
export function guardsToCheck(entries: readonly JournalEntry[], guards: readonly EntryPosition[]): EntryPosition[] {
  const byKey = new Map<string, number>();
  for (const { key, seq } of guards) byKey.set(key, Math.max(seq, byKey.get(key) ?? 0));
  for (const entry of entries) if ((byKey.get(entry.key) ?? Number.POSITIVE_INFINITY) <= entry.seq) byKey.delete(entry.key);
  return [...byKey].map(([key, seq]) => ({ key, seq }));
}


/** A SQL batch's answer (sql-journal.ts): how many entries it inserted, and their first and last positions. */
export type InsertedRange = {
  readonly count: number;
  readonly first: number | null;
  readonly last: number | null;
};

/** The positions of a committed batch of `count` entries: consecutive, from its first. */
export function positionsOf(count: number, inserted: InsertedRange | undefined): number[] {
  const got = Number(inserted?.count ?? 0);
  if (got !== count) throw new Error(`batch of ${count} entries inserted ${got}`);
  if (count === 0) return [];
  const first = Number(inserted?.first);
  const last = Number(inserted?.last);
  if (!Number.isSafeInteger(first) || first <= 0 || last - first + 1 !== count) {
    throw new Error(`batch of ${count} entries got positions ${inserted?.first} to ${inserted?.last}`);
  }
  return Array.from({ length: count }, (_, index) => first + index);
}
