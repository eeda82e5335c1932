import { describe, expect, it } from 'vitest';
import type { StoredStream, StreamReader } from '../persistence/adapters/streams.ts';
import { prefetchKeptMs, StreamLoader } from './stream-loader.ts';

const streamOf = (key: string, seq: number): StoredStream => ({ snapshot: null, entries: seq === 0 ? [] : [{ key, seq, events: [], commandId: `c${seq}`, at: 0 }] });

/** A store whose keys each hold one entry at `seqs[key]` (none when absent), counting its reads;
 *  `hold` keeps the next read in flight until `release`. */
function storeOf(seqs: Record<string, number>) {
  const reads: string[][] = [];
  let held: (() => void) | null = null;
  let holding = false;
  const reader: StreamReader = {
    loadStreams: async (keys) => {
      reads.push([...keys].sort());
      const answer = new Map(keys.map((key) => [key, streamOf(key, seqs[key] ?? 0)]));
      if (!holding) return answer;
      holding = false;
      return new Promise((resolve) => (held = () => resolve(answer)));
    },
  };
  return {
    reader,
    reads,
    hold: () => (holding = true),
    release: () => held?.(),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('StreamLoader reading ahead', () => {
  it('reads a related key with the next bulk load, and its actor then loads with no read of its own', async () => {
    const store = storeOf({ 'order:c-1': 2 });
    const loader = new StreamLoader(store.reader, 100);
    loader.prefetch('order:c-1');
    expect(await loader.load('checkout:c')).toEqual(streamOf('checkout:c', 0));
    expect(await loader.load('order:c-1')).toEqual(streamOf('order:c-1', 2));
    expect(store.reads).toEqual([['checkout:c', 'order:c-1']]);
    // Taken once: the next start of that actor reads the store again.
    await loader.load('order:c-1');
    expect(store.reads).toHaveLength(2);
  });

  it('reads again a key this process handed an entry for after it was read ahead', async () => {
    const store = storeOf({ 'order:c-1': 1 });
    const loader = new StreamLoader(store.reader, 100);
    loader.prefetch('order:c-1');
    await turn();
    await turn();
    loader.forget('order:c-1');
    store.reads.length = 0;
    await loader.load('order:c-1');
    expect(store.reads).toEqual([['order:c-1']]);
  });

  it('joins a read ahead still in flight, and keeps nothing forgotten while it was read', async () => {
    const store = storeOf({ 'order:a-1': 3 });
    const loader = new StreamLoader(store.reader, 100);
    store.hold();
    loader.prefetch('order:a-1');
    loader.prefetch('order:b-1');
    await turn();
    const joined = loader.load('order:a-1');
    loader.forget('order:b-1');
    store.release();
    expect(await joined).toEqual(streamOf('order:a-1', 3));
    expect(store.reads).toEqual([['order:a-1', 'order:b-1']]);
    await loader.load('order:b-1');
    expect(store.reads).toEqual([['order:a-1', 'order:b-1'], ['order:b-1']]);
  });

  it(`reads again a stream read ahead more than ${prefetchKeptMs} ms before its actor asked`, async () => {
    const store = storeOf({});
    let nowMs = 0;
    const loader = new StreamLoader(store.reader, 100, undefined, () => nowMs);
    loader.prefetch('order:c-1');
    await loader.load('checkout:c');
    nowMs += prefetchKeptMs + 1;
    await loader.load('order:c-1');
    expect(store.reads).toEqual([['checkout:c', 'order:c-1'], ['order:c-1']]);
  });
});
