import { describe, expect, it } from 'vitest';
import { CommandIds } from './command-ids.ts';

const durable = () => true;
const entry = (seq: number) => ({ seq, events: [], ticket: seq });

describe('CommandIds', () => {
  it('holds every id added, across merges into the sorted array, and carries them in its hashes', () => {
    const ids = CommandIds.of(['loaded-1', 'loaded-2']);
    for (let index = 0; index < 3_000; index += 1) ids.add(`cmd-${index}`, entry(index + 1), durable);
    const hashes = ids.hashes();
    expect(hashes.length).toBe(3_002);
    expect(hashes.every((hash, index) => index === 0 || hash > (hashes[index - 1] as number))).toBe(true);
    const carried = CommandIds.fromHashes(hashes);
    expect(carried).not.toBeNull();
    for (const holder of [ids, carried!]) {
      expect(holder.mightHold('loaded-1') && holder.mightHold('loaded-2')).toBe(true);
      expect(Array.from({ length: 3_000 }, (_, index) => holder.mightHold(`cmd-${index}`)).every(Boolean)).toBe(true);
      expect(Array.from({ length: 1_000 }, (_, index) => holder.mightHold(`other-${index}`)).some(Boolean)).toBe(false);
    }
  });

  it('adds to a carried filter and keeps each hash once', () => {
    const carried = CommandIds.fromHashes(CommandIds.of(['a', 'b']).hashes())!;
    carried.note('c');
    carried.add('a', entry(4), durable);
    expect(carried.mightHold('c')).toBe(true);
    expect(carried.hashes()).toEqual(CommandIds.of(['a', 'b', 'c']).hashes());
  });

  it('refuses hashes that do not ascend, as a damaged snapshot would hold', () => {
    expect(CommandIds.fromHashes(Uint32Array.of(5, 3))).toBeNull();
    expect(CommandIds.fromHashes(Uint32Array.of(5, 5))).toBeNull();
  });
});
