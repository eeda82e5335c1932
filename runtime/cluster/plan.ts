/**
 * A cluster node's pure decisions (issue #16), apart from the loop that acts on them
 * (cluster-node.ts), so they are tested without a database.
 */

export interface ShardPlan {
  /** Shards placement gives this node that it does not lease yet: try to claim them (a claim
   *  takes only free or expired leases, so one still held by its previous owner waits for that
   *  owner's release or expiry). */
  readonly claim: readonly number[];
  /** Shards this node leases that placement now gives another live node: hand them off. */
  readonly release: readonly number[];
}

/** What to claim and what to release, from the shards placed on this node and those it holds. */
export function planShards(placed: readonly number[], held: Iterable<number>): ShardPlan {
  const placedSet = new Set(placed);
  const heldSet = new Set(held);
  const claim = [...placedSet].filter((shard) => !heldSet.has(shard)).sort((left, right) => left - right);
  const release = [...heldSet].filter((shard) => !placedSet.has(shard)).sort((left, right) => left - right);
  return { claim, release };
}

/** The node names to place shards over: the live list, and this node even when its own
 *  heartbeat is not visible yet (it just ran, or the list was read before it). */
export function placementNodes(self: string, live: readonly string[]): string[] {
  return live.includes(self) ? [...live] : [...live, self];
}

/** Shards whose serving deadline has passed at monotonic time `nowMs` (lease-deadline.ts). */
export function pastDeadline(deadlines: ReadonlyMap<number, number>, nowMs: number): number[] {
  return [...deadlines].filter(([, deadlineMs]) => nowMs >= deadlineMs).map(([shard]) => shard).sort((left, right) => left - right);
}
