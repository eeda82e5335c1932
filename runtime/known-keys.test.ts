import { describe, expect, it } from 'vitest';
import type { StoredStream, StreamReader } from '../persistence/adapters/streams.ts';
import { KnownKeys } from './known-keys.ts';
import { StreamLoader } from './stream-loader.ts';

const keysOf = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}:${index}`);

describe('KnownKeys', () => {
  it('says every key may exist until the journal has been read, then never misses one it holds or was given', async () => {
    const known = new KnownKeys();
    expect(known.mayHold('order:new')).toBe(true);
    const stored = keysOf('wallet', 20_000);
    let release: () => void = () => {};
    const filling = known.fill(() => new Promise((resolve) => (release = () => resolve(stored))));
    known.add('checkout:during-the-read');
    expect(known.mayHold('order:new')).toBe(true);
    release();
    await filling;
    for (const key of [...stored, 'checkout:during-the-read']) expect(known.mayHold(key)).toBe(true);
    // Past the first filter's capacity, keys go into bigger ones and are still found.
    const later = keysOf('order', 50_000);
    for (const key of later) known.add(key);
    expect(later.every((key) => known.mayHold(key))).toBe(true);
  });

  it('answers "new" for nearly every key it was never given (false positives about 1 in 100)', async () => {
    const known = new KnownKeys();
    await known.fill(async () => keysOf('order', 30_000));
    const unseen = keysOf('checkout', 20_000);
    const falsePositives = unseen.filter((key) => known.mayHold(key)).length;
    expect(falsePositives / unseen.length).toBeLessThan(0.03);
  });
});

describe('StreamLoader with known keys', () => {
  it('reads no stream for a key the journal certainly does not hold, and reads the others', async () => {
    const asked: string[][] = [];
    const stored: StoredStream = { snapshot: null, entries: [{ key: 'wallet:1', seq: 1, events: [], commandId: 'c', at: 0 }] };
    const reader: StreamReader = {
      loadStreams: async (keys) => {
        asked.push([...keys]);
        return new Map(keys.map((key) => [key, key === 'wallet:1' ? stored : { snapshot: null, entries: [] }]));
      },
    };
    const known = new KnownKeys();
    await known.fill(async () => ['wallet:1']);
    const loader = new StreamLoader(reader, 100, known);
    expect(await loader.load('checkout:new')).toEqual({ snapshot: null, entries: [] });
    expect(asked).toEqual([]);
    expect(await loader.load('wallet:1')).toEqual(stored);
    known.add('checkout:new');
    await loader.load('checkout:new');
    expect(asked).toEqual([['wallet:1'], ['checkout:new']]);
  });
});
