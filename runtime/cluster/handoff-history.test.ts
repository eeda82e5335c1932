import { describe, expect, it } from 'vitest';
import type { ShardLease } from '../../persistence/adapters/shard-leases.ts';
import { HandoffHistory } from './handoff-history.ts';

const held = (shard: number, epoch: number, owner: string): ShardLease => ({ shard, epoch, owner, address: `http://${owner}`, expiresAtMs: 1, live: true });
const expired = (shard: number, epoch: number, owner: string): ShardLease => ({ ...held(shard, epoch, owner), live: false });
const released = (shard: number, epoch: number): ShardLease => ({ shard, epoch, owner: null, address: null, expiresAtMs: null, live: false });

describe('HandoffHistory', () => {
  it('takes the first read as its baseline and records nothing for it', () => {
    const history = new HandoffHistory(10);
    history.observe([held(0, 1, 'a'), held(1, 1, 'b')], 1_000);
    expect(history.recent(10)).toEqual([]);
    expect(history.since()).toBe(1_000);
  });

  it('records a claim, a release and an expiry between reads, newest first, and nothing when a read changes nothing', () => {
    const history = new HandoffHistory(10);
    history.observe([held(0, 1, 'a'), held(1, 1, 'a'), held(2, 3, 'b')], 1_000);
    history.observe([held(0, 1, 'a'), held(1, 1, 'a'), held(2, 3, 'b')], 1_500);
    expect(history.recent(10)).toEqual([]);
    history.observe([released(0, 1), expired(1, 1, 'a'), held(2, 3, 'b'), held(3, 1, 'c')], 2_000);
    history.observe([held(0, 2, 'b'), held(1, 2, 'c'), held(2, 3, 'b'), held(3, 1, 'c')], 3_000);
    // Newest first: the later read's changes, then the earlier one's (each read's in reverse shard order).
    expect(history.recent(10)).toEqual([
      { shard: 1, from: null, to: 'c', epoch: 2, change: 'claim', seenAtMs: 3_000 },
      { shard: 0, from: null, to: 'b', epoch: 2, change: 'claim', seenAtMs: 3_000 },
      { shard: 3, from: null, to: 'c', epoch: 1, change: 'claim', seenAtMs: 2_000 },
      { shard: 1, from: 'a', to: null, epoch: 1, change: 'expiry', seenAtMs: 2_000 },
      { shard: 0, from: 'a', to: null, epoch: 1, change: 'release', seenAtMs: 2_000 },
    ]);
  });

  it('shows a release and the next claim that fell between two reads as one move', () => {
    const history = new HandoffHistory(10);
    history.observe([held(4, 7, 'a')], 1_000);
    history.observe([held(4, 8, 'b')], 2_000);
    expect(history.recent(10)).toEqual([{ shard: 4, from: 'a', to: 'b', epoch: 8, change: 'claim', seenAtMs: 2_000 }]);
  });

  it('keeps at most its bound, dropping the oldest, and answers the latest `limit`', () => {
    const history = new HandoffHistory(3);
    history.observe([held(0, 1, 'a')], 0);
    for (let epoch = 2; epoch <= 6; epoch += 1) history.observe([held(0, epoch, epoch % 2 === 0 ? 'b' : 'a')], epoch * 1_000);
    expect(history.recent(10).map((handoff) => handoff.epoch)).toEqual([6, 5, 4]);
    expect(history.recent(2).map((handoff) => handoff.epoch)).toEqual([6, 5]);
    expect(history.recent(0)).toEqual([]);
    expect(() => new HandoffHistory(0)).toThrow(RangeError);
  });
});
