import { describe, expect, it } from 'vitest';
import { shardsPlacedOn } from '../../persistence/cluster/shards.ts';
import { pastDeadline, placementNodes, planShards } from './plan.ts';

describe('planShards', () => {
  it('claims every placed shard on a node that holds none', () => {
    expect(planShards([3, 1, 2], [])).toEqual({ claim: [1, 2, 3], release: [] });
  });

  it('claims what it lacks and releases what placement moved away', () => {
    expect(planShards([0, 1, 2, 5], [1, 2, 3, 4])).toEqual({ claim: [0, 5], release: [3, 4] });
  });

  it('does nothing when it holds exactly what is placed on it', () => {
    expect(planShards([4, 7], new Map([[7, 2], [4, 9]]).keys())).toEqual({ claim: [], release: [] });
  });

  it('releases everything when nothing is placed on it', () => {
    expect(planShards([], [2, 0])).toEqual({ claim: [], release: [0, 2] });
  });

  it('moves half the shards to a node that joins, and all back when it leaves', () => {
    const shardCount = 16;
    const alone = shardsPlacedOn('a', placementNodes('a', []), shardCount);
    expect(alone).toHaveLength(shardCount);
    const withB = shardsPlacedOn('a', placementNodes('a', ['a', 'b']), shardCount);
    const forB = shardsPlacedOn('b', placementNodes('b', ['a', 'b']), shardCount);
    expect([...withB, ...forB].sort((x, y) => x - y)).toEqual(alone);
    expect(withB.filter((shard) => forB.includes(shard))).toEqual([]);
    // A, holding all 16, hands B's share off; B claims that share once A released it.
    expect(planShards(withB, alone)).toEqual({ claim: [], release: forB });
    expect(planShards(forB, [])).toEqual({ claim: forB, release: [] });
    // B gone: A claims B's shards back and releases none.
    expect(planShards(shardsPlacedOn('a', placementNodes('a', ['a']), shardCount), withB)).toEqual({ claim: forB, release: [] });
  });
});

describe('placementNodes', () => {
  it('counts this node live even before its heartbeat shows', () => {
    expect(placementNodes('a', ['b'])).toEqual(['b', 'a']);
    expect(placementNodes('a', ['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('pastDeadline', () => {
  it('lists the shards whose deadline is now or earlier', () => {
    const deadlines = new Map([[1, 100], [2, 150], [3, 99.5]]);
    expect(pastDeadline(deadlines, 100)).toEqual([1, 3]);
    expect(pastDeadline(deadlines, 99)).toEqual([]);
  });
});
