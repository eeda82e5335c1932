import { describe, expect, it } from 'vitest';
import type { BatchWriter } from './group-commit.ts';
import { GroupCommit, GroupCommitClosed } from './group-commit.ts';

/** A writer that records every batch and doubles each item, failing odd ones when asked. */
function recordingWriter(options: { failOdd?: boolean; delayMs?: number } = {}) {
  const batches: number[][] = [];
  const write: BatchWriter<number, number> = async (items) => {
    batches.push([...items]);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    return items.map((item) =>
      options.failOdd && item % 2 === 1 ? { ok: false, error: new Error(`odd ${item}`) } : { ok: true, value: item * 2 },
    );
  };
  return { batches, write };
}

describe('GroupCommit', () => {
  it('groups items submitted in the same turn into one write', async () => {
    const { batches, write } = recordingWriter();
    const commits = new GroupCommit(write, { batching: true, maxBatch: 100, maxWaitMs: 0 });
    expect(await Promise.all([1, 2, 3].map((item) => commits.submit(item)))).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(commits.stats()).toEqual({ batches: 1, items: 3, largestBatch: 3, queued: 0 });
  });

  it('queues items while a write is in flight and takes at most maxBatch per write', async () => {
    const { batches, write } = recordingWriter({ delayMs: 20 });
    const commits = new GroupCommit(write, { batching: true, maxBatch: 2, maxWaitMs: 0 });
    const first = commits.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4, 5].map((item) => commits.submit(item));
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('waits maxWaitMs for company before the first write', async () => {
    const { batches, write } = recordingWriter();
    const commits = new GroupCommit(write, { batching: true, maxBatch: 100, maxWaitMs: 30 });
    const first = commits.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all([first, commits.submit(2)]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('writes every item alone, in order, when batching is off', async () => {
    const { batches, write } = recordingWriter();
    const commits = new GroupCommit(write, { batching: false, maxBatch: 100, maxWaitMs: 50 });
    await Promise.all([1, 2, 3].map((item) => commits.submit(item)));
    expect(batches).toEqual([[1], [2], [3]]);
    expect(commits.stats().largestBatch).toBe(1);
  });

  it('fails only the items whose outcome is an error', async () => {
    const { write } = recordingWriter({ failOdd: true });
    const commits = new GroupCommit(write, { batching: true, maxBatch: 100, maxWaitMs: 0 });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((item) => commits.submit(item)));
    expect(settled.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails the whole batch when the write itself rejects', async () => {
    const failure = new Error('connection lost');
    const commits = new GroupCommit<number, number>(() => Promise.reject(failure), { batching: true, maxBatch: 10, maxWaitMs: 0 });
    const settled = await Promise.allSettled([1, 2].map((item) => commits.submit(item)));
    expect(settled).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('fails the batch when the writer miscounts its outcomes', async () => {
    const commits = new GroupCommit<number, number>(async () => [{ ok: true, value: 1 }], { batching: true, maxBatch: 10, maxWaitMs: 0 });
    await expect(Promise.all([commits.submit(1), commits.submit(2)])).rejects.toThrow('1 outcomes for 2 items');
  });

  it('writes what is queued on close, even inside maxWaitMs, then refuses new items', async () => {
    const { batches, write } = recordingWriter();
    const commits = new GroupCommit(write, { batching: true, maxBatch: 10, maxWaitMs: 60_000 });
    const pending = commits.submit(1);
    await commits.close();
    expect(await pending).toBe(2);
    expect(batches).toEqual([[1]]);
    await expect(commits.submit(2)).rejects.toBeInstanceOf(GroupCommitClosed);
  });

  it('refuses a maxBatch below 1', () => {
    expect(() => new GroupCommit(recordingWriter().write, { batching: true, maxBatch: 0, maxWaitMs: 0 })).toThrow(RangeError);
  });
});
