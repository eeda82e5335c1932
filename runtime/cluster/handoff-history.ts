/**
 * The ownership changes one node has seen, for the operators' cluster view (issue #16). It keeps
 * no log of its own: every read of the lease table (each round, every TTL/4, and each pushed
 * change) is compared with the one before, and each shard whose owner or epoch differs becomes
 * one change. So a node sees what its reads see: a release and the next claim between two reads
 * show as one move, and a change older than this node's first read is not there. The history
 * is in memory and bounded (`handoffHistoryMax`); a restarted node starts empty.
 */
import type { ShardLease } from '../../persistence/adapters/shard-leases.ts';

/** How a shard changed between two reads: a claim (a new epoch), a release, or a lease that expired unrenewed. */
export type HandoffChange = 'claim' | 'release' | 'expiry';

export interface Handoff {
  readonly shard: number;
  /** The owner before; null when the shard was free (released, expired or never claimed). */
  readonly from: string | null;
  /** The owner after; null when it was released or expired. */
  readonly to: string | null;
  readonly epoch: number;
  readonly change: HandoffChange;
  /** Wall-clock ms of the read that saw it: the change happened at most one read earlier. */
  readonly seenAtMs: number;
}

interface Seen {
  readonly owner: string | null;
  readonly epoch: number;
}

export class HandoffHistory {
  private last: Map<number, Seen> | null = null;
  /** Oldest first; trimmed to `max` from the front. */
  private readonly changes: Handoff[] = [];
  private firstReadAtMs: number | null = null;

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`a handoff history holds at least 1 change, got ${max}`);
  }

  /** Compares a read of the lease table with the previous one; the first read is the baseline. */
  observe(leases: readonly ShardLease[], nowMs: number): void {
    const next = new Map<number, Seen>();
    for (const lease of leases) next.set(lease.shard, { owner: lease.live ? lease.owner : null, epoch: lease.epoch });
    const previous = this.last;
    this.last = next;
    if (previous === null) {
      this.firstReadAtMs = nowMs;
      return;
    }
    for (const lease of leases) {
      const before = previous.get(lease.shard) ?? { owner: null, epoch: 0 };
      const after = next.get(lease.shard);
      if (after === undefined || (before.owner === after.owner && before.epoch === after.epoch)) continue;
      this.record({ shard: lease.shard, from: before.owner, to: after.owner, epoch: after.epoch, change: changeOf(lease, before, after), seenAtMs: nowMs });
    }
  }

  /** The latest changes, newest first. */
  recent(limit: number): Handoff[] {
    return this.changes.slice(Math.max(0, this.changes.length - limit)).reverse();
  }

  /** When this node's first read was taken: changes before it are not in the history. */
  since(): number | null {
    return this.firstReadAtMs;
  }

  private record(handoff: Handoff): void {
    this.changes.push(handoff);
    if (this.changes.length > this.max) this.changes.splice(0, this.changes.length - this.max);
  }
}

function changeOf(lease: ShardLease, before: Seen, after: Seen): HandoffChange {
  if (after.epoch !== before.epoch && after.owner !== null) return 'claim';
  // Same epoch and no owner now: released (the row lost its owner) or expired (it kept it).
  return lease.owner === null ? 'release' : 'expiry';
}
