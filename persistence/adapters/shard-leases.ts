/**
 * Shard leases and the cluster's live nodes over the Db port (scale-out, issue #16). Tables:
 * migrations/019_shards.sql. Every expiry is judged by the database's clock (`now()`), never by a
 * node's, so nodes whose clocks disagree still agree on who owns what; a node turns a grant into
 * its own serving deadline with cluster/lease-deadline.ts.
 *
 * How a node is meant to use it (the wiring is a later step): it heartbeats and renews every
 * TTL/4; from `liveNodes` it works out its shards by rendezvous hashing (cluster/shards.ts,
 * `shardsPlacedOn`) and claims those it lacks; it keeps the epochs it got in one
 * `Map<shard, epoch>`, passes that map as the fence of every journal batch (journal.ts,
 * ShardFence), drops the shards a renewal reports lost, stops serving a shard at its deadline
 * (sent + TTL), and releases the shards placed elsewhere once its batches for them are written.
 *
 * Every statement that locks several lease rows locks them in shard order, as a fenced batch does
 * (sql-journal.ts): a renewal waits behind the node's own batch in flight instead of deadlocking
 * with it.
 *
 * A statement that changes a shard's owner (a claim, a takeover of an expired lease, a release)
 * also sends a NOTIFY on `shardOwnersChannel`, in the same statement, so it is delivered exactly
 * when the change commits and never for a change that rolled back. The other nodes listen
 * (`watch`) and re-read their owner cache at once instead of at their next round.
 */
import type { Db } from './db.ts';
import type { SessionTimeouts } from './pg.ts';

/** A shard's lease as operators see it. `live` is false for a released or expired lease. */
export interface ShardLease {
  readonly shard: number;
  readonly epoch: number;
  readonly owner: string | null;
  readonly address: string | null;
  /** Epoch ms on the database's clock; null once released. */
  readonly expiresAtMs: number | null;
  readonly live: boolean;
}

export interface ClusterNode {
  readonly node: string;
  readonly address: string;
}

export interface Renewal {
  /** Shards still leased to the node at the epoch it held; their lease now runs one more TTL. */
  readonly renewed: readonly number[];
  /** Shards the node must drop: the row is gone, another claim changed the epoch, they were
   *  released, or the lease had already expired (a node paused past its TTL claims again, with
   *  epoch + 1, and reloads what it serves). */
  readonly lost: readonly number[];
}

/** The NOTIFY channel of ownership changes (database-wide, like every channel: nodes of clusters
 *  in other schemas of one database hear each other's changes, which costs them a spare read). */
export const shardOwnersChannel = 'bazaary_shard_owners';

/** What a notification on `shardOwnersChannel` says: who claimed or released some shards. */
export interface OwnerChange {
  readonly change: 'claim' | 'release';
  readonly node: string;
}

/** The payload `<change>:<node>`; null for anything else (another sender on the channel). */
export function parseOwnerChange(payload: string): OwnerChange | null {
  const separator = payload.indexOf(':');
  const change = payload.slice(0, separator);
  const node = payload.slice(separator + 1);
  if (separator <= 0 || node === '' || (change !== 'claim' && change !== 'release')) return null;
  return { change, node };
}

/**
 * The notification, as a column of every row a change returns. PostgreSQL delivers identical
 * notifications of one transaction once, so one per statement reaches the listeners, and none
 * when nothing changed (no row). A column, not a WHERE: the planner may fold a condition away.
 */
const notifyColumn = (change: OwnerChange['change'], nodeParameter: string) =>
  `pg_notify('${shardOwnersChannel}', '${change}:' || ${nodeParameter}) IS NOT NULL AS notified`;

const ttlInterval = (parameter: string) => `now() + ${parameter}::float8 * interval '1 millisecond'`;

/**
 * Takes the listed shards that are free (no row, or released) or expired, bumping each one's
 * epoch; a shard another node holds unexpired is left alone. The pre-check skips those rows
 * without locking them; ON CONFLICT checks again on the newest row, after waiting for any batch
 * that holds it FOR SHARE, so a takeover never overtakes the old owner's batch in flight.
 */
const claimSql = `
  WITH claimed AS (
    INSERT INTO shard_leases AS l (shard, epoch, owner, address, expires_at)
    SELECT c.shard, 1, $2, $3, ${ttlInterval('$4')}
    FROM unnest($1::int[]) AS c(shard)
    WHERE NOT EXISTS (SELECT 1 FROM shard_leases o WHERE o.shard = c.shard AND o.owner IS NOT NULL AND o.expires_at > now())
    ORDER BY c.shard
    ON CONFLICT (shard) DO UPDATE
      SET epoch = l.epoch + 1, owner = excluded.owner, address = excluded.address, expires_at = excluded.expires_at
      WHERE l.owner IS NULL OR l.expires_at <= now()
    RETURNING l.shard, l.epoch)
  SELECT shard, epoch, ${notifyColumn('claim', '$2::text')} FROM claimed`;

/** An UPDATE of the lease rows `picked` selects (as `l`), locked first in shard order. */
function updateInShardOrder(picked: string, set: string): string {
  return `
  WITH picked AS (${picked} ORDER BY l.shard FOR NO KEY UPDATE OF l)
  UPDATE shard_leases l SET ${set} FROM picked p WHERE l.shard = p.shard
  RETURNING l.shard`;
}

const renewSql = updateInShardOrder(
  `SELECT l.shard FROM shard_leases l
   JOIN unnest($2::int[], $3::bigint[]) AS h(shard, epoch) ON h.shard = l.shard AND h.epoch = l.epoch
   WHERE l.owner = $1 AND l.expires_at > now()`,
  `expires_at = ${ttlInterval('$4')}`,
);

/** The row and its epoch stay, so the next claim gets epoch + 1 (019_shards.sql). */
const releaseSql = `
  WITH released AS (${updateInShardOrder(
    'SELECT l.shard FROM shard_leases l WHERE l.owner = $1 AND l.shard = ANY($2::int[])',
    'owner = NULL, address = NULL, expires_at = NULL',
  )})
  SELECT shard, ${notifyColumn('release', '$1::text')} FROM released`;

const heartbeatSql = `
  INSERT INTO cluster_nodes (node, address, heartbeat_at, expires_at) VALUES ($1, $2, now(), ${ttlInterval('$3')})
  ON CONFLICT (node) DO UPDATE SET address = excluded.address, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`;

/**
 * Server-side limits for a cluster node's connections (pg.ts, `sessionTimeouts`). Half a lease:
 * a node paused inside a transaction that holds lease rows FOR SHARE loses its session (and its
 * locks) before its lease could have lapsed twice over, so a takeover waits at most that long;
 * and a statement stuck that long behind a lock fails rather than act on a lease half gone.
 */
export function clusterSessionTimeouts(leaseTtlMs: number): SessionTimeouts {
  checkTtl(leaseTtlMs);
  const halfMs = Math.max(1, Math.floor(leaseTtlMs / 2));
  return { idleInTransactionMs: halfMs, lockMs: halfMs };
}

export class ShardLeases {
  constructor(private readonly db: Db) {}

  /** Claims the free or expired shards among `shards` for `node`; returns shard → new epoch for
   *  each it got (the others are held by live owners). */
  async claim(shards: readonly number[], node: string, address: string, ttlMs: number): Promise<Map<number, number>> {
    checkNode(node);
    checkTtl(ttlMs);
    const wanted = distinctShards(shards);
    if (wanted.length === 0) return new Map();
    const rows = await this.db.query<{ shard: number; epoch: number }>(claimSql, [wanted, node, address, ttlMs]);
    return new Map(rows.map((row) => [row.shard, Number(row.epoch)]));
  }

  /** Renews every lease in `held` (shard → epoch) in one statement, and says which were lost. */
  async renew(node: string, held: ReadonlyMap<number, number>, ttlMs: number): Promise<Renewal> {
    checkNode(node);
    checkTtl(ttlMs);
    const shards = distinctShards([...held.keys()]);
    if (shards.length === 0) return { renewed: [], lost: [] };
    const rows = await this.db.query<{ shard: number }>(renewSql, [node, shards, shards.map((shard) => held.get(shard)), ttlMs]);
    const renewed = new Set(rows.map((row) => row.shard));
    return { renewed: shards.filter((shard) => renewed.has(shard)), lost: shards.filter((shard) => !renewed.has(shard)) };
  }

  /** Gives up `node`'s leases on `shards` (a graceful handoff); returns the shards it released. */
  async release(node: string, shards: readonly number[]): Promise<number[]> {
    checkNode(node);
    const wanted = distinctShards(shards);
    if (wanted.length === 0) return [];
    const rows = await this.db.query<{ shard: number }>(releaseSql, [node, wanted]);
    return rows.map((row) => row.shard).sort((left, right) => left - right);
  }

  /**
   * Calls `onChange` for every ownership change a claim, takeover or release commits, until the
   * function it resolves with is called. Null when the Db cannot listen (PGlite): the caller's
   * periodic read is then all there is, as it is for a change sent while the listener was away.
   */
  async watch(onChange: (change: OwnerChange) => void): Promise<(() => Promise<void>) | null> {
    if (this.db.listen === undefined) return null;
    return this.db.listen(shardOwnersChannel, (payload) => {
      const change = parseOwnerChange(payload);
      if (change !== null) onChange(change);
    });
  }

  /** Marks `node` live at `address` for `ttlMs` more, on the database's clock. */
  async heartbeat(node: string, address: string, ttlMs: number): Promise<void> {
    checkNode(node);
    checkTtl(ttlMs);
    await this.db.query(heartbeatSql, [node, address, ttlMs]);
  }

  /** Takes `node` out of the live list at once (a clean stop), instead of at its heartbeat's expiry. */
  async leave(node: string): Promise<void> {
    await this.db.query('DELETE FROM cluster_nodes WHERE node = $1', [node]);
  }

  /** The nodes whose heartbeat has not expired, by name. */
  liveNodes(): Promise<ClusterNode[]> {
    return this.db.query<{ node: string; address: string }>('SELECT node, address FROM cluster_nodes WHERE expires_at > now() ORDER BY node');
  }

  /** Every shard that was ever claimed, by shard. */
  async leases(): Promise<ShardLease[]> {
    const rows = await this.db.query<{ shard: number; epoch: number; owner: string | null; address: string | null; expires_at_ms: number | null; live: boolean }>(
      `SELECT shard, epoch, owner, address, floor(extract(epoch FROM expires_at) * 1000)::bigint AS expires_at_ms, coalesce(expires_at > now(), false) AS live
       FROM shard_leases ORDER BY shard`,
    );
    return rows.map((row) => ({
      shard: row.shard,
      epoch: Number(row.epoch),
      owner: row.owner,
      address: row.address,
      expiresAtMs: row.expires_at_ms === null ? null : Number(row.expires_at_ms),
      live: row.live,
    }));
  }
}

function checkNode(node: string): void {
  if (node.length === 0) throw new TypeError('a node name must not be empty');
}

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`a lease TTL must be a positive integer of ms, got ${ttlMs}`);
}

/** Shards ascending and once each: ON CONFLICT cannot touch one row twice in a statement. */
function distinctShards(shards: readonly number[]): number[] {
  for (const shard of shards) {
    if (!Number.isInteger(shard) || shard < 0 || shard > 2_147_483_647) throw new RangeError(`a shard must be a non-negative integer, got ${shard}`);
  }
  return [...new Set(shards)].sort((left, right) => left - right);
}
