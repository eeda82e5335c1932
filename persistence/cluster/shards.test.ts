/**
 * Placement (shards.ts): the key hash is pinned, because every process of every version must put
 * a key in the same shard; rendezvous hashing spreads shards evenly and moves few of them when a
 * node joins or leaves.
 */
import { describe, expect, it } from 'vitest';
import { fmix32, placementHash, rendezvousOwner, shardOf, shardsPlacedOn } from './shards.ts';

/** FNV-1a spelled the slow way, over TextEncoder's UTF-8 (placementHash encodes by hand). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

const nodes = (count: number) => Array.from({ length: count }, (_, index) => `node-${index + 1}`);

function placement(liveNodes: readonly string[], shardCount: number): (string | null)[] {
  return Array.from({ length: shardCount }, (_, shard) => rendezvousOwner(shard, liveNodes));
}

describe('shardOf', () => {
  it('gives the pinned shard for known keys (a change here is a data migration)', () => {
    const pinned: [string, number, number, number][] = [
      ['', 2_872_998_923, 11, 11],
      ['a', 444_641_715, 3, 179],
      ['wallet:alice', 3_663_867_388, 12, 252],
      ['order:0f8c7d2e-1b1a-4c55-9e77-3d2a6f1e9b10', 2_951_090_576, 0, 144],
      ['seller:s1', 707_157_198, 14, 206],
      ['wallet:ünïcödé', 1_201_739_095, 7, 87],
      ['wallet:😀', 591_243_101, 13, 93],
    ];
    for (const [key, hash, of16, of256] of pinned) {
      expect(placementHash(key), key).toBe(hash);
      expect(shardOf(key, 16), key).toBe(of16);
      expect(shardOf(key, 256), key).toBe(of256);
    }
  });

  it('is FNV-1a over the UTF-8 bytes, finalised with fmix32, whatever the characters', () => {
    // The published FNV-1a 32-bit test vectors, so the reference above is the real FNV-1a.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    const keys = ['', 'wallet:0', 'order:é', 'seller:€', 'wallet:😀😀', 'lone:\ud800', 'lone:\udc00x', 'end:\ud83d'];
    for (const key of keys) expect(placementHash(key), JSON.stringify(key)).toBe(fmix32(fnv1a(key)));
  });

  it('spreads keys that differ in one character over every shard', () => {
    const counts = new Array<number>(16).fill(0);
    for (let index = 0; index < 16_000; index += 1) {
      const shard = shardOf(`wallet:${index.toString(16)}`, 16);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1_150);
  });

  it('refuses a shard count that is not a positive integer', () => {
    expect(() => shardOf('wallet:a', 0)).toThrow(RangeError);
    expect(() => shardOf('wallet:a', 2.5)).toThrow(RangeError);
  });
});

describe('rendezvousOwner', () => {
  it('gives every node about the same number of shards', () => {
    for (const nodeCount of [2, 3, 5, 8]) {
      const owners = placement(nodes(nodeCount), 256);
      const fair = 256 / nodeCount;
      for (const node of nodes(nodeCount)) {
        const owned = owners.filter((owner) => owner === node).length;
        expect(owned, `${node} of ${nodeCount}`).toBeGreaterThan(fair * 0.6);
        expect(owned, `${node} of ${nodeCount}`).toBeLessThan(fair * 1.4);
      }
    }
  });

  it('moves only the shards the new node wins when a node joins', () => {
    const before = placement(nodes(4), 256);
    const after = placement(nodes(5), 256);
    const moved = before.flatMap((owner, shard) => (after[shard] === owner ? [] : [after[shard]]));
    expect(new Set(moved)).toEqual(new Set(['node-5']));
    expect(moved.length).toBeGreaterThan(256 / 5 / 2);
    expect(moved.length).toBeLessThan((256 / 5) * 1.5);
  });

  it('moves only the leaving node\'s shards when a node leaves', () => {
    const before = placement(nodes(5), 256);
    const after = placement(nodes(5).filter((node) => node !== 'node-3'), 256);
    before.forEach((owner, shard) => {
      if (owner === 'node-3') expect(after[shard]).not.toBe('node-3');
      else expect(after[shard], `shard ${shard}`).toBe(owner);
    });
  });

  it('agrees whatever order the live nodes are listed in, and has no owner without nodes', () => {
    const listed = nodes(6);
    expect(placement([...listed].reverse(), 64)).toEqual(placement(listed, 64));
    expect(rendezvousOwner(3, [])).toBeNull();
    expect(shardsPlacedOn('node-2', listed, 64)).toEqual(placement(listed, 64).flatMap((owner, shard) => (owner === 'node-2' ? [shard] : [])));
  });
});
