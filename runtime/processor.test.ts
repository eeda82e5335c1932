import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../persistence/adapters/consumer.ts';
import type { JournalEntry, LoggedEntry } from '../persistence/adapters/journal.ts';
import { limits } from './limits.ts';
import { silentLogger } from './logger.ts';
import { EventProcessor, type FollowedConsumer } from './processor.ts';
import { openHarness, type Harness } from './testing/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => {
  await harness.reset();
  await harness.db.query('TRUNCATE consumer_checkpoints');
});
afterAll(async () => harness.close());

const quick = { ...limits, processorPollMs: 20, processorCheckpointMs: 10 };

/** A consumer that records what it was handed, and fails its first `failures` attempts. */
function recorder(name: string, failures = 0) {
  const handled: LoggedEntry[] = [];
  let failuresLeft = failures;
  const consumer: Consumer & { handled: LoggedEntry[]; onHandle?: (entries: readonly LoggedEntry[]) => void } = {
    name,
    handled,
    async handle(entries) {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error(`${name} is down`);
      }
      consumer.onHandle?.(entries as LoggedEntry[]);
      handled.push(...(entries as LoggedEntry[]));
    },
  };
  return consumer;
}

let commandNumber = 0;
async function commit(keys: readonly string[]): Promise<LoggedEntry[]> {
  const entries: JournalEntry[] = [];
  for (const key of keys) {
    const seq = (await harness.journal.lastSeq(key)) + 1 + entries.filter((entry) => entry.key === key).length;
    commandNumber += 1;
    entries.push({ key, seq, events: [{ type: 'Noted', n: commandNumber }], commandId: `c${commandNumber}`, at: 0 });
  }
  const positions = await harness.journal.commit(entries);
  return entries.map((entry, index) => ({ ...entry, position: positions[index] ?? 0 }));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function positionsOf(entries: readonly LoggedEntry[]): number[] {
  return entries.map((entry) => entry.position);
}

describe('the event processor', () => {
  it('lets a failing consumer lag alone while the others, and those that follow them, go on', async () => {
    const first = recorder('first');
    const failing = recorder('failing', 3);
    const follower = recorder('follower');
    follower.onHandle = (entries) => {
      // It follows `first`: never handed a position `first` has not handled.
      expect(Math.max(...positionsOf(entries))).toBeLessThanOrEqual(Math.max(0, ...positionsOf(first.handled)));
    };
    const consumers: FollowedConsumer[] = [
      { consumer: first, after: [] },
      { consumer: failing, after: [] },
      { consumer: follower, after: ['first'] },
    ];
    const processor = new EventProcessor(harness.journal, consumers, quick, silentLogger);
    processor.start();
    const logged = await commit(['a:1', 'b:1', 'a:1']);
    processor.offer(logged);
    await until(() => follower.handled.length === 3, 'the follower');
    expect(positionsOf(first.handled)).toEqual(positionsOf(logged));
    const failingLag = processor.lags().find((lag) => lag.consumer === 'failing');
    expect(failingLag?.failures).toBeGreaterThan(0);
    expect(failingLag?.lag).toBe(3);
    // It is retried with backoff and catches up by itself.
    await until(() => failing.handled.length === 3, 'the failing consumer to recover');
    expect(positionsOf(failing.handled)).toEqual(positionsOf(logged));
    expect(processor.lags().map((lag) => [lag.consumer, lag.lag, lag.failures])).toEqual([['first', 0, 0], ['failing', 0, 0], ['follower', 0, 0]]);
    await processor.stop();
  });

  it('feeds a caught-up consumer from memory, and reads the journal only to catch up', async () => {
    const before = await commit(['m:1', 'm:2']);
    let reads = 0;
    const journal = new Proxy(harness.journal, {
      get(target, property, receiver) {
        if (property === 'readAfter') {
          return (after: number, limit: number) => {
            reads += 1;
            return target.readAfter(after, limit);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const consumer = recorder('tail');
    const processor = new EventProcessor(journal, [{ consumer, after: [] }], quick, silentLogger);
    processor.start();
    await until(() => consumer.handled.length === 2, 'the catch-up');
    expect(reads).toBeGreaterThan(0);
    const readsAfterCatchUp = reads;
    for (let batch = 0; batch < 5; batch += 1) processor.offer(await commit(['m:1', 'm:3']));
    await until(() => consumer.handled.length === 12, 'the tail');
    expect(reads).toBe(readsAfterCatchUp);
    expect(positionsOf(consumer.handled)).toEqual([...positionsOf(before), ...Array.from({ length: 10 }, (_, index) => (before.at(-1)?.position ?? 0) + index + 1)]);
    await processor.stop();
  });

  it('picks up after a restart from each consumer\'s own checkpoint', async () => {
    const early = recorder('early');
    const late = recorder('late', 1_000);
    const processor = new EventProcessor(harness.journal, [{ consumer: early, after: [] }, { consumer: late, after: [] }], quick, silentLogger);
    processor.start();
    const first = await commit(['r:1', 'r:2']);
    processor.offer(first);
    await until(() => early.handled.length === 2, 'the early consumer');
    await processor.stop();

    const second = await commit(['r:3']);
    const earlyAgain = recorder('early');
    const lateAgain = recorder('late');
    const restarted = new EventProcessor(harness.journal, [{ consumer: earlyAgain, after: [] }, { consumer: lateAgain, after: [] }], quick, silentLogger);
    restarted.start();
    await restarted.drain();
    expect(positionsOf(earlyAgain.handled)).toEqual(positionsOf(second));
    expect(positionsOf(lateAgain.handled)).toEqual(positionsOf([...first, ...second]));
    await restarted.stop();
  });

  it('lets a caller read its own writes: a consumer pausing between rounds goes on at once', async () => {
    const consumer = recorder('paused');
    const processor = new EventProcessor(harness.journal, [{ consumer, after: [] }], { ...quick, processorRoundMinMs: 60_000 }, silentLogger);
    processor.start();
    processor.offer(await commit(['w:1']));
    await until(() => consumer.handled.length === 1, 'the first round');
    // The consumer now pauses a minute before its next round, unless someone waits for it.
    const second = await commit(['w:1']);
    processor.offer(second);
    const startedAt = Date.now();
    expect(await processor.caughtUp('paused', 10_000)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(positionsOf(consumer.handled).at(-1)).toBe(second[0]?.position);
    expect(await processor.caughtUp('nobody', 10)).toBe(false);
    await processor.stop();
  });

  it('on a journal other processes write, waits for what they committed before the caller asked', async () => {
    const consumer = recorder('shared');
    // The poll is an hour away: only the read-your-writes wait can bring the other node's entry.
    const slow = { ...quick, processorPollMs: 3_600_000, processorRoundMinMs: 60_000 };
    const processor = new EventProcessor(harness.journal, [{ consumer, after: [] }], slow, silentLogger, true);
    processor.start();
    processor.offer(await commit(['s:1']));
    await until(() => consumer.handled.length === 1, 'the first round');
    // Committed by another process: never offered to this one.
    const theirs = await commit(['s:2']);
    expect(await processor.caughtUp('shared', 10_000)).toBe(true);
    expect(positionsOf(consumer.handled)).toContain(theirs[0]?.position);
    await processor.stop();
  });

  it('on a journal only it writes, takes its own head as the journal\'s and reads nothing', async () => {
    const consumer = recorder('alone');
    const slow = { ...quick, processorPollMs: 3_600_000, processorRoundMinMs: 60_000 };
    const processor = new EventProcessor(harness.journal, [{ consumer, after: [] }], slow, silentLogger);
    processor.start();
    processor.offer(await commit(['o:1']));
    await until(() => consumer.handled.length === 1, 'the first round');
    const unseen = await commit(['o:2']);
    expect(await processor.caughtUp('alone', 10_000)).toBe(true);
    expect(positionsOf(consumer.handled)).not.toContain(unseen[0]?.position);
    await processor.stop();
  });

  it('keeps a background consumer to its pause while callers wait for the others, and drain cuts every pause', async () => {
    const prompt = recorder('prompt');
    const background = recorder('background');
    const consumers: FollowedConsumer[] = [{ consumer: prompt, after: [] }, { consumer: background, after: [], background: true }];
    const processor = new EventProcessor(harness.journal, consumers, { ...quick, processorRoundMinMs: 60_000 }, silentLogger);
    processor.start();
    processor.offer(await commit(['b:1']));
    await until(() => prompt.handled.length === 1 && background.handled.length === 1, 'the first rounds');
    const second = await commit(['b:1']);
    processor.offer(second);
    expect(await processor.caughtUp('prompt', 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(positionsOf(background.handled)).not.toContain(second[0]?.position);
    const startedAt = Date.now();
    await processor.drain();
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(positionsOf(background.handled).at(-1)).toBe(second[0]?.position);
    await processor.stop();
  });

  it('drains a consumer whose outage ended during its backoff instead of reporting it, and reports one that still fails', async () => {
    // Five failures (backoffs 100 … 1,600 ms) and then up: its next attempt, left alone, is 1.6 s away.
    const recovering = recorder('recovering', 5);
    const processor = new EventProcessor(harness.journal, [{ consumer: recovering, after: [] }], quick, silentLogger);
    processor.start();
    processor.offer(await commit(['d:1']));
    await until(() => processor.lags()[0]?.failures === 5, 'five failures');
    const startedAt = Date.now();
    await processor.drain();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(recovering.handled).toHaveLength(1);
    await processor.stop();

    const broken = recorder('broken', Number.POSITIVE_INFINITY);
    const failing = new EventProcessor(harness.journal, [{ consumer: broken, after: [] }], quick, silentLogger);
    failing.start();
    failing.offer(await commit(['d:2']));
    await until(() => (failing.lags()[0]?.failures ?? 0) >= 5, 'five failures');
    await expect(failing.drain()).rejects.toThrow('broken is down');
    await failing.stop();
  });

  it('refuses a consumer that follows one not listed before it', () => {
    expect(() => new EventProcessor(harness.journal, [{ consumer: recorder('x'), after: ['y'] }], quick, silentLogger)).toThrow(/follows y/);
  });
});
