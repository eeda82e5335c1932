/**
 * The benchmark's view of who owns what, read from the lease table itself (migrations/019_shards.sql)
 * on the run's database: the bench decides which node a request is local to and which one it must
 * be forwarded from, and when a moved key's new owner holds its lease.
 */
import postgres from 'postgres';
import { rendezvousOwner, shardOf } from '../../persistence/cluster/shards.ts';
import { sleep } from '../lib/pool.ts';

export interface LeaseTable {
  /** The live owner of every shard, by shard (null: free or expired). */
  owners(): Promise<(string | null)[]>;
  /**
   * Waits until every shard has a live lease held by the node rendezvous hashing places it on
   * among `nodes`, then one more TTL, so every node's owner cache (refreshed every TTL/4) agrees.
   * Resolves to the ms it took.
   */
  settle(nodes: readonly string[], timeoutMs: number): Promise<number>;
  /** Polls the lease table (every few ms) for when each of `shards` leaves `from` and when another node holds it. */
  watchMoves(shards: readonly number[], from: string): MoveWatch;
  close(): Promise<void>;
}

export interface MoveWatch {
  /** performance.now() when the shard's live lease was first seen not held by the old owner. */
  leftAt(shard: number): number | null;
  /** performance.now() when another node was first seen holding it. */
  claimedAt(shard: number): number | null;
  stop(): Promise<void>;
}

/** How often a move watch reads the lease table: its readings are late by up to this (plus a query). */
const watchEveryMs = 10;

export function openLeaseTable(databaseUrl: string, shardCount: number, leaseTtlMs: number): LeaseTable {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const owners = async (): Promise<(string | null)[]> => {
    const rows = await sql<{ shard: number; owner: string | null }[]>`
      SELECT shard, owner FROM shard_leases WHERE owner IS NOT NULL AND expires_at > now()`;
    const byShard: (string | null)[] = Array.from({ length: shardCount }, () => null);
    for (const row of rows) byShard[row.shard] = row.owner;
    return byShard;
  };
  return {
    owners,
    async settle(nodes, timeoutMs) {
      const startedAt = performance.now();
      for (;;) {
        const current = await owners();
        if (current.every((owner, shard) => owner === rendezvousOwner(shard, nodes))) break;
        if (performance.now() - startedAt > timeoutMs) {
          throw new Error(`the shards did not settle on ${nodes.join(', ')} in ${timeoutMs} ms (owners: ${JSON.stringify(current)})`);
        }
        await sleep(50);
      }
      await sleep(leaseTtlMs);
      return performance.now() - startedAt;
    },
    watchMoves(shards, from) {
      const left = new Map<number, number>();
      const claimed = new Map<number, number>();
      let running = true;
      const loop = (async () => {
        while (running && claimed.size < shards.length) {
          const current = await owners();
          const now = performance.now();
          for (const shard of shards) {
            const owner = current[shard] ?? null;
            if (owner !== from && !left.has(shard)) left.set(shard, now);
            if (owner !== from && owner !== null && !claimed.has(shard)) claimed.set(shard, now);
          }
          await sleep(watchEveryMs);
        }
      })();
      return {
        leftAt: (shard) => left.get(shard) ?? null,
        claimedAt: (shard) => claimed.get(shard) ?? null,
        async stop() {
          running = false;
          await loop;
        },
      };
    },
    close: () => sql.end(),
  };
}

/** The node that owns `key` per `owners` (from LeaseTable.owners). */
export function ownerOfKey(owners: readonly (string | null)[], key: string): string | null {
  return owners[shardOf(key, owners.length)] ?? null;
}

/** The node that will own `key` once `nodes` are the live ones (rendezvous hashing). */
export function placedOwnerOfKey(key: string, nodes: readonly string[], shardCount: number): string | null {
  return rendezvousOwner(shardOf(key, shardCount), nodes);
}
