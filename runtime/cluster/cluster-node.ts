/**
 * One node of a cluster (issue #16): it leases the shards rendezvous placement gives it and
 * tells the runtime which keys it may serve and under which fence its batches are written.
 *
 * The loop runs every TTL/4, one round at a time:
 * 1. Heartbeat, and renew every lease it holds in one statement. The monotonic time the renewal
 *    was SENT plus the TTL is each renewed shard's serving deadline (lease-deadline.ts): a slow
 *    answer shortens the lease, never lengthens it. Shards the renewal reports lost are dropped
 *    at once (their resident actors stopped, their callers answered `unavailable`).
 * 2. Read the live nodes and place the shards over them (shards.ts, `shardsPlacedOn`).
 * 3. Hand off the shards placed elsewhere: stop serving them, flush the commit log (nothing of
 *    them in flight), stop their actors, flush again, release. The next owner claims at epoch + 1.
 * 4. Claim the shards placed here that it lacks (free or expired ones only).
 * 5. Refresh the shard → owner cache operators and refusals read.
 *
 * Ownership changes are also pushed (shard-leases.ts, `watch`: LISTEN/NOTIFY): another node's
 * claim or takeover re-reads the owner cache at once, and its release runs a round at once, so
 * the shards it freed are claimed now rather than a quarter TTL later. Many notifications make
 * one read (or one round). The rounds stay the safety net for a notification that was lost.
 *
 * Between rounds `owns` also checks the deadline, so a node whose loop stalls (a pause, a slow
 * database) stops serving before any other node may claim its shards. The fence is what keeps
 * data safe when that timing assumption fails: a batch written under an epoch no longer held is
 * refused as `fenced` (sql-journal.ts).
 */
import { performance } from 'node:perf_hooks';
import type { ShardFence } from '../../persistence/adapters/journal.ts';
import type { OwnerChange, ShardLeases } from '../../persistence/adapters/shard-leases.ts';
import { mayServe, servingDeadlineMs } from '../../persistence/cluster/lease-deadline.ts';
import { checkShardCount, shardOf, shardsPlacedOn } from '../../persistence/cluster/shards.ts';
import { failure } from '../ask.ts';
import type { Logger } from '../logger.ts';
import { notOwner, type NotOwner, type ShardHost, type ShardOwner, type ShardOwnership } from './ownership.ts';
import { placementNodes, planShards } from './plan.ts';
import type { OwnerDirectory } from './forwarding.ts';

export interface ClusterNodeOptions {
  readonly node: string;
  /** Where other nodes reach this one: its internal endpoint (forwarding.ts). */
  readonly address: string;
  readonly shardCount: number;
  readonly leaseTtlMs: number;
  readonly leases: ShardLeases;
  readonly logger: Logger;
  /** The monotonic clock (ms); tests replace it to model a node whose timing assumption fails. */
  readonly monotonicNow?: () => number;
  /** Called after a round claimed shards (the timer scheduler reloads to take their timers). */
  readonly onGained?: (shards: readonly number[]) => void;
}

export interface ClusterNodeStats {
  readonly shardsOwned: number;
  /** How long the latest renewal (with its heartbeat) took, in ms; null before the first. */
  readonly lastRenewMs: number | null;
  readonly claims: number;
  readonly losses: number;
  readonly releases: number;
  readonly failedRounds: number;
  /** Ownership changes of other nodes this node was told of (LISTEN/NOTIFY). */
  readonly ownerPushes: number;
}

export class ClusterNode implements ShardOwnership, OwnerDirectory {
  /** Shard → epoch held. Replaced, never changed in place, so a fence handed to a batch stays
   *  what it was when the batch was sent. */
  private epochs: ReadonlyMap<number, number> = new Map();
  private currentFence: ShardFence | undefined = undefined;
  /** Shards that take commands: held, and not being handed off. */
  private readonly serving = new Set<number>();
  /** Shard → monotonic ms until which it may be served. */
  private readonly deadlines = new Map<number, number>();
  private owners = new Map<number, ShardOwner>();
  /** Shard → epoch of its live lease, whoever holds it, as of the latest lease read. */
  private leaseEpochs = new Map<number, number>();
  /** The lease read under way, shared by every caller that asks for one meanwhile. */
  private ownersRead: Promise<void> | null = null;
  private host: ShardHost | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private round: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private lastRenewMs: number | null = null;
  private claims = 0;
  private losses = 0;
  private releases = 0;
  private failedRounds = 0;
  private ownerPushes = 0;
  /** Stops listening for ownership changes; null when not listening. */
  private unwatch: (() => Promise<void>) | null = null;
  /** A pushed cache read, or a pushed round, is queued and has not started yet. */
  private pushedReadQueued = false;
  private pushedRoundQueued = false;

  constructor(private readonly options: ClusterNodeOptions) {
    checkShardCount(options.shardCount);
    if (!Number.isInteger(options.leaseTtlMs) || options.leaseTtlMs < 4) throw new RangeError(`leaseTtlMs must be an integer of at least 4, got ${options.leaseTtlMs}`);
    this.now = options.monotonicNow ?? (() => performance.now());
    // An empty fence, not none: in cluster mode no batch is ever written unfenced.
    this.setEpochs(new Map());
  }

  get node(): string {
    return this.options.node;
  }

  /** The runtime whose actors this node's shards hold; set once, before `start`. */
  attach(host: ShardHost): void {
    if (this.host !== null) throw new Error('a cluster node serves one runtime');
    this.host = host;
  }

  /** Runs the first round (so the node serves its shards when this resolves), then the loop. */
  async start(): Promise<void> {
    if (this.host === null) throw new Error('attach a runtime before starting the cluster node');
    this.running = true;
    // Before the first round's read, so no change after it goes unheard.
    await this.watchOwners();
    await this.runRound();
    this.schedule();
  }

  refusal(key: string): NotOwner | null {
    const shard = shardOf(key, this.options.shardCount);
    if (this.serving.has(shard) && mayServe(this.now(), this.deadlines.get(shard) ?? Number.NEGATIVE_INFINITY)) return null;
    return notOwner(key, this.ownerOf(key));
  }

  owns(key: string): boolean {
    return this.refusal(key) === null;
  }

  fence(): ShardFence | undefined {
    return this.currentFence;
  }

  /** The key's owner as of the latest round (the lease table), or null when none is live. */
  ownerOf(key: string): ShardOwner | null {
    return this.owners.get(shardOf(key, this.options.shardCount)) ?? null;
  }

  leaseEpochOf(key: string): number | null {
    return this.leaseEpochs.get(shardOf(key, this.options.shardCount)) ?? null;
  }

  /** The epoch this node holds for the key's shard, or null when it holds none. */
  heldEpochOf(key: string): number | null {
    return this.epochs.get(shardOf(key, this.options.shardCount)) ?? null;
  }

  /** Shards this node serves now, ascending. */
  ownedShards(): number[] {
    const now = this.now();
    return [...this.serving].filter((shard) => mayServe(now, this.deadlines.get(shard) ?? Number.NEGATIVE_INFINITY)).sort((left, right) => left - right);
  }

  stats(): ClusterNodeStats {
    return {
      shardsOwned: this.ownedShards().length,
      lastRenewMs: this.lastRenewMs,
      claims: this.claims,
      losses: this.losses,
      releases: this.releases,
      failedRounds: this.failedRounds,
      ownerPushes: this.ownerPushes,
    };
  }

  /** Stops the loop without giving anything up: fault tests use it to model a paused node. */
  async pauseLoop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }

  /** Starts the loop again after `pauseLoop`, with a round at once. */
  async resumeLoop(): Promise<void> {
    this.running = true;
    await this.runRound();
    this.schedule();
  }

  /** A clean stop: out of the live list, no more commands, everything written, every lease released. */
  async stop(): Promise<void> {
    await this.pauseLoop();
    // Out of the live list first: the nodes that hear the release below place its shards over
    // themselves only, and claim them at once.
    await this.options.leases.leave(this.options.node).catch((error: unknown) => this.options.logger.warn({ err: error }, 'leaving the cluster failed; the heartbeat expires instead'));
    try {
      await this.handOff([...this.epochs.keys()]);
    } finally {
      const unwatch = this.unwatch;
      this.unwatch = null;
      await unwatch?.().catch((error: unknown) => this.options.logger.warn({ err: error }, 'unlistening for ownership changes failed'));
    }
  }

  /** Listens for other nodes' ownership changes; without it (PGlite, an error) the rounds alone keep the cache. */
  private async watchOwners(): Promise<void> {
    if (this.unwatch !== null) return;
    try {
      this.unwatch = await this.options.leases.watch((change) => this.onOwnerChange(change));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'listening for ownership changes failed; the owner cache is read every round only');
    }
  }

  private onOwnerChange(change: OwnerChange): void {
    if (change.node === this.options.node || !this.running) return;
    this.ownerPushes += 1;
    if (change.change === 'release') this.roundSoon();
    else this.readOwnersSoon();
  }

  /** One round for any number of releases heard before it starts; it ends with a cache read. */
  private roundSoon(): void {
    if (this.pushedRoundQueued) return;
    this.pushedRoundQueued = true;
    void this.runRound(() => {
      this.pushedRoundQueued = false;
      // A loop paused meanwhile (pauseLoop) runs no pushed round: a paused node stays paused.
      return this.running;
    });
  }

  /** One cache read for any number of changes heard before it starts. It follows the read in
   *  flight, which may have begun before the change committed. */
  private readOwnersSoon(): void {
    if (this.pushedReadQueued) return;
    this.pushedReadQueued = true;
    void (this.ownersRead ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        this.pushedReadQueued = false;
        return this.refreshOwners();
      })
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'reading the lease table after an ownership change failed; the next round reads it'));
  }

  private schedule(): void {
    if (!this.running || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runRound().finally(() => this.schedule());
    }, Math.floor(this.options.leaseTtlMs / 4));
    this.timer.unref();
  }

  /** One round at a time; a failed round is logged and the next one tries again. `starting`
   *  runs as the round begins, and a false from it skips the round. */
  private runRound(starting?: () => boolean): Promise<void> {
    const next = this.round.then(() => {
      if (starting?.() === false) return undefined;
      return this.roundOnce();
    }).catch((error: unknown) => {
      this.failedRounds += 1;
      this.options.logger.warn({ err: error, node: this.options.node }, 'cluster round failed; shards past their deadline stop serving');
    });
    this.round = next;
    return next;
  }

  private async roundOnce(): Promise<void> {
    const { leases, node, address, leaseTtlMs, shardCount } = this.options;
    const sentAtMs = this.now();
    const [renewal] = await Promise.all([leases.renew(node, this.epochs, leaseTtlMs), leases.heartbeat(node, address, leaseTtlMs)]);
    this.lastRenewMs = this.now() - sentAtMs;
    for (const shard of renewal.renewed) this.deadlines.set(shard, servingDeadlineMs(sentAtMs, leaseTtlMs));
    if (renewal.lost.length > 0) this.lose(renewal.lost);
    const live = await leases.liveNodes();
    const plan = planShards(shardsPlacedOn(node, placementNodes(node, live.map((each) => each.node)), shardCount), this.epochs.keys());
    if (plan.release.length > 0) await this.handOff(plan.release);
    if (plan.claim.length > 0) await this.claim(plan.claim);
    await this.refreshOwners();
  }

  private async claim(shards: readonly number[]): Promise<void> {
    const { leases, node, address, leaseTtlMs } = this.options;
    const sentAtMs = this.now();
    const got = await leases.claim(shards, node, address, leaseTtlMs);
    if (got.size === 0) return;
    const epochs = new Map(this.epochs);
    for (const [shard, epoch] of got) {
      epochs.set(shard, epoch);
      this.deadlines.set(shard, servingDeadlineMs(sentAtMs, leaseTtlMs));
      this.serving.add(shard);
    }
    this.setEpochs(epochs);
    this.claims += got.size;
    this.options.logger.info({ node, shards: [...got.keys()] }, 'claimed shards');
    this.options.onGained?.([...got.keys()]);
  }

  /** Shards another node may own now: stop serving them and stop their actors. Their entries
   *  still queued are refused by the fence (they are no longer in it) and their callers told
   *  `unavailable`. */
  private lose(shards: readonly number[]): void {
    const epochs = new Map(this.epochs);
    for (const shard of shards) {
      this.serving.delete(shard);
      this.deadlines.delete(shard);
      epochs.delete(shard);
    }
    this.setEpochs(epochs);
    this.losses += shards.length;
    this.options.logger.warn({ node: this.options.node, shards }, 'lost shards; their actors stop');
    this.host?.dropShards(new Set(shards), this.options.shardCount, failure('unavailable', 'this node lost the shard of this key; retry the command with the same id'));
  }

  /** A graceful handoff. The shards stay in the fence until released, so what was accepted
   *  before is written under the epoch it was decided in. */
  private async handOff(shards: readonly number[]): Promise<void> {
    if (shards.length === 0) return;
    const host = this.host;
    for (const shard of shards) this.serving.delete(shard);
    if (host !== null) {
      await host.flush();
      host.dropShards(new Set(shards), this.options.shardCount, failure('unavailable', 'this node handed the shard of this key to another; retry the command with the same id'));
      // A message the actors took before they stopped may have appended once more.
      await host.flush();
    }
    const released = await this.options.leases.release(this.options.node, shards);
    const epochs = new Map(this.epochs);
    for (const shard of shards) {
      epochs.delete(shard);
      this.deadlines.delete(shard);
    }
    this.setEpochs(epochs);
    this.releases += released.length;
    this.options.logger.info({ node: this.options.node, shards: released }, 'released shards');
  }

  /** Re-reads the shard → owner cache from the lease table: every round, and when a forward
   *  found the cache stale. Callers that ask while a read is under way share it. */
  refreshOwners(): Promise<void> {
    if (this.ownersRead !== null) return this.ownersRead;
    const read = this.readOwners().finally(() => {
      this.ownersRead = null;
    });
    this.ownersRead = read;
    return read;
  }

  private async readOwners(): Promise<void> {
    const owners = new Map<number, ShardOwner>();
    const epochs = new Map<number, number>();
    for (const lease of await this.options.leases.leases()) {
      if (!lease.live || lease.owner === null) continue;
      owners.set(lease.shard, { node: lease.owner, address: lease.address });
      epochs.set(lease.shard, lease.epoch);
    }
    this.owners = owners;
    this.leaseEpochs = epochs;
  }

  private setEpochs(epochs: ReadonlyMap<number, number>): void {
    this.epochs = epochs;
    this.currentFence = { shardCount: this.options.shardCount, epochs };
  }
}
