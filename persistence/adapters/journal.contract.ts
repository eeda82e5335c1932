/**
 * The journal port's contract suite (journal.ts lists the guarantees). Every journal adapter's
 * test file calls `describeJournalContract` with a factory that returns a journal over an
 * empty store; the suite registers vitest blocks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupCommitStats } from './group-commit.ts';
import type { AppendResult, Journal, JournalEntry, NewEntry } from './journal.ts';
import { BatchRefused, VersionConflict } from './journal.ts';

export interface JournalSubject {
  /** A journal over an empty store. */
  readonly journal: Journal;
  /** Whether the journal was opened with group commit on. */
  readonly batching: boolean;
  /** The journal's group-commit counters, to check that concurrent appends were grouped. */
  stats(): GroupCommitStats;
  cleanup(): Promise<void>;
}

let commandCounter = 0;

function newEntry(events: readonly unknown[] = [{ type: 'Tested' }], commandId?: string): NewEntry {
  commandCounter += 1;
  return { events, commandId: commandId ?? `cmd-${commandCounter}`, at: 1_767_225_600_000 + commandCounter };
}

/** Appends `count` entries to `key` one after another. */
async function appendMany(journal: Journal, key: string, count: number): Promise<AppendResult[]> {
  const results: AppendResult[] = [];
  for (let seq = 1; seq <= count; seq += 1) results.push(await journal.append(key, seq - 1, newEntry([{ seq }])));
  return results;
}

function positions(entries: readonly JournalEntry[]): string[] {
  return entries.map((entry) => `${entry.key}#${entry.seq}`);
}

export function describeJournalContract(name: string, open: () => Promise<JournalSubject>): void {
  describe(`Journal contract: ${name}`, () => {
    let subject: JournalSubject;
    let journal: Journal;

    beforeEach(async () => {
      subject = await open();
      journal = subject.journal;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    describeAppends(() => journal);
    describeIdempotency(() => journal);
    describeConcurrency(() => subject);
    describeReads(() => journal);
    describeOrderedLog(() => journal);
  });
}

function describeAppends(journalOf: () => Journal): void {
  it('gives the first append seq 1', async () => {
    const journal = journalOf();
    const entry = newEntry([{ type: 'Opened' }]);
    const result = await journal.append('wallet:a', 0, entry);
    expect(result.duplicate).toBe(false);
    expect(result.entry).toEqual({ key: 'wallet:a', seq: 1, ...entry });
    expect(await journal.lastSeq('wallet:a')).toBe(1);
    expect(await journal.read('wallet:a', 0, 10)).toEqual([result.entry]);
  });

  it('numbers sequential appends 1, 2, 3, … with no gap', async () => {
    const journal = journalOf();
    const results = await appendMany(journal, 'wallet:a', 5);
    expect(results.map((result) => result.entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await journal.read('wallet:a', 0, 10)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await journal.lastSeq('wallet:a')).toBe(5);
    expect(await journal.lastSeq('wallet:unknown')).toBe(0);
  });

  it('refuses a stale expectedSeq with VersionConflict and writes nothing', async () => {
    const journal = journalOf();
    await appendMany(journal, 'wallet:a', 2);
    const attempt = journal.append('wallet:a', 1, newEntry());
    await expect(attempt).rejects.toBeInstanceOf(VersionConflict);
    await expect(attempt).rejects.toMatchObject({ key: 'wallet:a', expectedSeq: 1 });
    expect(await journal.lastSeq('wallet:a')).toBe(2);
  });

  it('refuses an expectedSeq past the end (a gap) with VersionConflict', async () => {
    const journal = journalOf();
    await appendMany(journal, 'wallet:a', 1);
    await expect(journal.append('wallet:a', 3, newEntry())).rejects.toBeInstanceOf(VersionConflict);
    await expect(journal.append('wallet:new', 1, newEntry())).rejects.toBeInstanceOf(VersionConflict);
    expect(await journal.lastSeq('wallet:a')).toBe(1);
    expect(await journal.lastSeq('wallet:new')).toBe(0);
  });

}

function describeIdempotency(journalOf: () => Journal): void {
  it('answers a repeated commandId with the original entry, whatever expectedSeq', async () => {
    const journal = journalOf();
    const original = await journal.append('wallet:a', 0, newEntry([{ type: 'Credited' }], 'cmd-retry'));
    await appendMany(journal, 'wallet:b', 1);
    for (const expectedSeq of [0, 1, 5]) {
      const retry = await journal.append('wallet:a', expectedSeq, newEntry([{ type: 'Different' }], 'cmd-retry'));
      expect(retry.duplicate).toBe(true);
      expect(retry.entry).toEqual(original.entry);
    }
    expect(await journal.read('wallet:a', 0, 10)).toEqual([original.entry]);
  });

  it('scopes commandIds to their key', async () => {
    const journal = journalOf();
    await journal.append('wallet:a', 0, newEntry([], 'cmd-shared'));
    const other = await journal.append('wallet:b', 0, newEntry([], 'cmd-shared'));
    expect(other.duplicate).toBe(false);
    expect((await journal.findByCommandId('wallet:b', 'cmd-shared'))?.key).toBe('wallet:b');
    expect(await journal.findByCommandId('wallet:a', 'cmd-missing')).toBeNull();
  });

  it('round-trips events: nested objects, integers, quotes and unicode', async () => {
    const journal = journalOf();
    const events = [
      { type: 'Deposited', amountMinor: 9_007_199_254_740_991, negative: -42, zero: 0, ratio: 0.25 },
      { type: 'Noted', text: `it's "quoted" \\ back\\slash`, unicode: 'Zoë 💸 日本 \u2028', empty: '' },
      { type: 'Nested', deep: { list: [1, [2, [3]], { four: 4 }], flag: false, nothing: null }, emptyList: [] },
    ];
    const entry = newEntry(events);
    await journal.append('order:x', 0, entry);
    const [stored] = await journal.read('order:x', 0, 1);
    expect(stored?.events).toEqual(events);
    expect(stored?.at).toBe(entry.at);
    expect((await journal.findByCommandId('order:x', entry.commandId))?.events).toEqual(events);
  });

  it('writes pending appends before close resolves, then refuses new ones', async () => {
    const journal = journalOf();
    const pending = [0, 1, 2].map((index) => journal.append(`wallet:${index}`, 0, newEntry()));
    await journal.close();
    const results = await Promise.all(pending);
    expect(results.map((result) => result.entry.seq)).toEqual([1, 1, 1]);
    await expect(journal.append('wallet:late', 0, newEntry())).rejects.toThrow();
  });
}

function describeConcurrency(subjectOf: () => JournalSubject): void {
  it('appends 200 concurrent commands to 200 keys, grouped when batching', async () => {
    const { journal, batching, stats } = subjectOf();
    const before = stats();
    const keys = Array.from({ length: 200 }, (_, index) => `wallet:${String(index).padStart(3, '0')}`);
    const results = await Promise.all(keys.map((key) => journal.append(key, 0, newEntry([{ key }]))));
    expect(results.every((result) => result.entry.seq === 1 && !result.duplicate)).toBe(true);
    expect(await journal.keys('wallet:')).toEqual(keys);
    const after = stats();
    expect(after.items - before.items).toBe(200);
    if (batching) expect(after.batches - before.batches).toBeLessThan(200);
    else expect(after.largestBatch).toBe(1);
  });

  it('lets exactly one of many racing appends with one expectedSeq win', async () => {
    const { journal } = subjectOf();
    const racers = Array.from({ length: 20 }, () => journal.append('wallet:contested', 0, newEntry()));
    const settled = await Promise.allSettled(racers);
    const winners = settled.filter((outcome) => outcome.status === 'fulfilled');
    const losers = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    expect(losers.every((reason) => reason instanceof VersionConflict)).toBe(true);
    expect(await journal.lastSeq('wallet:contested')).toBe(1);
  });

  it('keeps a conflicting append in a batch from failing the others', async () => {
    const { journal } = subjectOf();
    await appendMany(journal, 'wallet:stale', 2);
    const [first, stale, last] = await Promise.allSettled([
      journal.append('wallet:first', 0, newEntry()),
      journal.append('wallet:stale', 1, newEntry()),
      journal.append('wallet:last', 0, newEntry()),
    ]);
    expect(first?.status).toBe('fulfilled');
    expect(last?.status).toBe('fulfilled');
    expect(stale?.status).toBe('rejected');
    expect(stale?.status === 'rejected' && stale.reason instanceof VersionConflict).toBe(true);
  });

  it('applies one key’s appends submitted together in order, as a serial writer would', async () => {
    const { journal } = subjectOf();
    const results = await Promise.all([0, 1, 2].map((expectedSeq) => journal.append('order:pipelined', expectedSeq, newEntry())));
    expect(results.map((result) => result.entry.seq)).toEqual([1, 2, 3]);
  });

  it('resolves a retry racing its original to the original entry', async () => {
    const { journal } = subjectOf();
    const entry = newEntry([{ type: 'Paid' }], 'cmd-raced');
    const [original, retry] = await Promise.all([journal.append('order:r', 0, entry), journal.append('order:r', 0, entry)]);
    expect(original.duplicate).toBe(false);
    expect(retry.duplicate).toBe(true);
    expect(retry.entry).toEqual(original.entry);
    expect(await journal.lastSeq('order:r')).toBe(1);
  });
}

function describeReads(journalOf: () => Journal): void {
  it('pages through one key with afterSeq and limit', async () => {
    const journal = journalOf();
    await appendMany(journal, 'wallet:a', 10);
    await appendMany(journal, 'wallet:b', 3);
    expect((await journal.read('wallet:a', 0, 4)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
    expect((await journal.read('wallet:a', 4, 4)).map((entry) => entry.seq)).toEqual([5, 6, 7, 8]);
    expect((await journal.read('wallet:a', 8, 4)).map((entry) => entry.seq)).toEqual([9, 10]);
    expect(await journal.read('wallet:a', 10, 4)).toEqual([]);
    expect(await journal.read('wallet:a', 0, 0)).toEqual([]);
    expect(await journal.read('wallet:missing', 0, 4)).toEqual([]);
  });

  it('reads many streams at once, each after its own seq and within the per-key limit', async () => {
    const journal = journalOf();
    await appendMany(journal, 'stream:a', 5);
    await appendMany(journal, 'stream:b', 2);
    const streams = await journal.readStreams(
      [{ key: 'stream:a', afterSeq: 1 }, { key: 'stream:b', afterSeq: 0 }, { key: 'stream:none', afterSeq: 0 }],
      3,
    );
    expect([...streams.keys()].sort()).toEqual(['stream:a', 'stream:b']);
    expect(streams.get('stream:a')?.map((entry) => entry.seq)).toEqual([2, 3, 4]);
    expect(streams.get('stream:b')?.map((entry) => entry.seq)).toEqual([1, 2]);
    expect((await journal.readStreams([{ key: 'stream:b', afterSeq: 2 }], 3)).size).toBe(0);
    expect((await journal.readStreams([], 3)).size).toBe(0);
  });

  it('pages through every key in (key, seq) order with readAll', async () => {
    const journal = journalOf();
    await appendMany(journal, 'c', 1);
    await appendMany(journal, 'a', 3);
    await appendMany(journal, 'b', 2);
    const first = await journal.readAll(null, 4);
    expect(positions(first)).toEqual(['a#1', 'a#2', 'a#3', 'b#1']);
    const second = await journal.readAll(first.at(-1) ?? null, 4);
    expect(positions(second)).toEqual(['b#2', 'c#1']);
    expect(await journal.readAll({ key: 'c', seq: 1 }, 4)).toEqual([]);
    expect(positions(await journal.readAll({ key: 'a', seq: 99 }, 1))).toEqual(['b#1']);
  });

  it('lists keys by prefix, treating LIKE and regex characters literally', async () => {
    const journal = journalOf();
    for (const key of ['wallet:2', 'wallet:1', 'order:1', 'walletX1', 'a_b:1', 'axb:1', 'c%d:1', 'c.d:1', 'cxd:1']) {
      await journal.append(key, 0, newEntry());
    }
    await journal.append('wallet:1', 1, newEntry());
    expect(await journal.keys('wallet:')).toEqual(['wallet:1', 'wallet:2']);
    expect(await journal.keys('a_b')).toEqual(['a_b:1']);
    expect(await journal.keys('c%')).toEqual(['c%d:1']);
    expect(await journal.keys('c.')).toEqual(['c.d:1']);
    expect(await journal.keys('nothing:')).toEqual([]);
  });
}

function logged(key: string, seq: number, commandId = `log-${key}-${seq}`): JournalEntry {
  return { key, seq, events: [{ type: 'Logged', seq }], commandId, at: 1_767_225_600_000 + seq };
}

function describeOrderedLog(journalOf: () => Journal): void {
  it('commits a batch in order with ascending positions, and readAfter pages the log by position', async () => {
    const journal = journalOf();
    const head = await journal.headPosition();
    const first = await journal.commit([logged('o:b', 1), logged('o:a', 1), logged('o:b', 2)]);
    const second = await journal.commit([logged('o:a', 2)]);
    expect(first).toHaveLength(3);
    expect(first[0]).toBeGreaterThan(head);
    expect([...first, ...second]).toEqual([...first, ...second].sort((left, right) => left - right));
    expect(await journal.headPosition()).toBe(second[0]);
    const page = await journal.readAfter(head, 10);
    expect(page.map((entry) => `${entry.key}#${entry.seq}`)).toEqual(['o:b#1', 'o:a#1', 'o:b#2', 'o:a#2']);
    expect(page.map((entry) => entry.position)).toEqual([...first, ...second]);
    expect(page[0]).toMatchObject({ ...logged('o:b', 1), position: first[0] });
    expect((await journal.readAfter(first[1] ?? 0, 10)).map((entry) => entry.position)).toEqual([first[2], second[0]]);
    expect(await journal.read('o:b', 0, 10)).toEqual([logged('o:b', 1), logged('o:b', 2)]);
    expect(await journal.commit([])).toEqual([]);
  });

  it('keeps each entry of a batch with its own events, passing guards among them, and refuses the batch on a failed guard', async () => {
    const journal = journalOf();
    await journal.commit([logged('g:held', 1)]);
    const texts = ['record\u001eseparator', 'unit\u001fcontrol \t\n', 'quote " back\\slash', '', 'Zoë 💸'];
    const batch = texts.map((text, index): JournalEntry => ({
      key: `g:${index % 2}`,
      seq: Math.floor(index / 2) + 1,
      events: Array.from({ length: index + 1 }, (_, position) => ({ type: 'Noted', text, position })),
      commandId: `note-${index}`,
      at: 1_767_225_600_000 + index,
    }));
    const positions = await journal.commit(batch, [{ key: 'g:held', seq: 1 }]);
    expect(positions).toHaveLength(batch.length);
    expect(await journal.read('g:0', 0, 10)).toEqual(batch.filter((entry) => entry.key === 'g:0'));
    expect(await journal.read('g:1', 0, 10)).toEqual(batch.filter((entry) => entry.key === 'g:1'));
    // The guard names a seq the key has moved past: the whole batch is refused, nothing written.
    const refused = await journal.commit([logged('g:2', 1)], [{ key: 'g:0', seq: 1 }]).then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(BatchRefused);
    expect(await journal.read('g:2', 0, 10)).toEqual([]);
  });

  it('refuses a whole batch when one row takes a stored seq, repeats a commandId or leaves a gap', async () => {
    const journal = journalOf();
    await journal.commit([logged('r:a', 1), logged('r:b', 1, 'cmd-b1')]);
    const head = await journal.headPosition();
    const refusals = [
      [logged('r:c', 1), logged('r:a', 1, 'other')],
      [logged('r:c', 1), logged('r:b', 2, 'cmd-b1')],
      [logged('r:c', 1), logged('r:a', 3)],
      [logged('r:c', 2)],
    ];
    const reasons: string[] = [];
    for (const batch of refusals) {
      const error: unknown = await journal.commit(batch).then(() => null, (refused: unknown) => refused);
      expect(error).toBeInstanceOf(BatchRefused);
      reasons.push((error as BatchRefused).reason);
    }
    expect(reasons).toEqual(['conflict', 'duplicate', 'conflict', 'conflict']);
    expect(await journal.lastSeq('r:c')).toBe(0);
    expect(await journal.readAfter(head, 10)).toEqual([]);
    // The log goes on after a refusal.
    const [position] = await journal.commit([logged('r:c', 1)]);
    expect(position).toBeGreaterThan(head);
    expect(await journal.commandIds('r:b')).toEqual(['cmd-b1']);
  });

  it('positions appends too, and keeps each consumer\'s checkpoint, only ever forward', async () => {
    const journal = journalOf();
    const head = await journal.headPosition();
    await journal.append('p:a', 0, newEntry());
    await journal.commit([logged('p:a', 2)]);
    const page = await journal.readAfter(head, 10);
    expect(page.map((entry) => entry.seq)).toEqual([1, 2]);
    // Checkpoints outlive the entries a test store empties, so each run names fresh consumers.
    commandCounter += 1;
    const consumer = `contract-consumer-${process.pid}-${commandCounter}-${Date.now()}`;
    expect(await journal.checkpoint(consumer)).toBe(0);
    await journal.saveCheckpoints([{ consumer, position: page[1]?.position ?? 0 }]);
    await journal.saveCheckpoints([
      { consumer, position: page[0]?.position ?? 0 },
      { consumer: `${consumer}-second`, position: page[0]?.position ?? 0 },
    ]);
    await journal.saveCheckpoints([]);
    expect(await journal.checkpoint(consumer)).toBe(page[1]?.position);
    expect(await journal.checkpoint(`${consumer}-second`)).toBe(page[0]?.position);
    expect(await journal.checkpoint(`${consumer}-other`)).toBe(0);
  });
}
