/**
 * One cluster size of the cluster benchmark, start to finish: a fresh database on the server, N
 * node processes (n1…nN), buyers registered through n1, then in turn forwarding overhead (local vs
 * forwarded deposits, sequential and concurrent), deposit throughput (through every node in turn,
 * as a load balancer spreads them, and by owner, as routing by key would), a graceful handoff
 * (SIGTERM of the last node, which is started again after) and a failover (SIGKILL of n1).
 */
import { createFreshDatabase } from '../../persistence/adapters/testing/fresh-database.ts';
import { shardOf } from '../../persistence/cluster/shards.ts';
import { onInterrupt } from '../lib/interrupts.ts';
import { log } from '../lib/options.ts';
import { sleep } from '../lib/pool.ts';
import { summarize } from '../lib/stats.ts';
import { cpuSince, markCpu } from './cpu-split.ts';
import { closedLoop, deposit, followMovedKey, registerBuyers, timeShots, type Buyer, type Shot } from './deposits.ts';
import { openLeaseTable, ownerOfKey, type LeaseTable } from './lease-table.ts';
import { startNode, type ClusterSettings, type NodeProcess } from './node-process.ts';
import type { ClusterBenchOptions } from './options.ts';
import { clusterCounters, countersBetween, scrape, type ClusterCounters } from './prometheus.ts';
import type { LatencyPhase, MovePhase, MovedKeyResult, SizeResult, ThroughputPhase } from './results.ts';

/** How long a moved key may take to be served again before the phase counts it as never. */
const moveDeadlineMs = 30_000;
/** How long the idle nodes' CPU is read for. */
const idleMs = 3_000;

class Cluster {
  readonly nodes: NodeProcess[] = [];
  /** Each process's counters at its latest scrape: a process's total lives on after it is gone. */
  private readonly lastSeen = new Map<number, ClusterCounters>();

  constructor(readonly leases: LeaseTable) {}

  names(): string[] {
    return this.nodes.map((node) => node.node);
  }

  async scrape(nodes: readonly NodeProcess[] = this.nodes): Promise<ClusterCounters> {
    const texts = await Promise.all(nodes.map((node) => scrape(node.metricsUrl)));
    texts.forEach((text, index) => this.lastSeen.set(nodes[index]?.pid ?? -1, clusterCounters([text])));
    return clusterCounters(texts);
  }

  fencedOverLifetimes(): number {
    return [...this.lastSeen.values()].reduce((sum, counters) => sum + counters.fencedBatches, 0);
  }

  async ownerIndexes(buyers: readonly Buyer[]): Promise<number[]> {
    const owners = await this.leases.owners();
    return buyers.map((buyer) => this.names().indexOf(ownerOfKey(owners, buyer.key) ?? ''));
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes) await node.terminate().catch(() => node.kill());
  }
}

/** Local and forwarded shots, interleaved so both meet the same moments of a noisy machine. */
function latencyShots(cluster: Cluster, buyers: readonly Buyer[], owners: readonly number[], samples: number): Shot[] {
  const size = cluster.nodes.length;
  const shots: Shot[] = [];
  for (let index = 0; index < samples; index += 1) {
    const buyer = buyers[index % buyers.length];
    const owner = owners[index % buyers.length] ?? -1;
    const local = cluster.nodes[owner];
    if (buyer === undefined || local === undefined) throw new Error(`buyer ${index % buyers.length} has no live owner`);
    const other = cluster.nodes[(owner + 1 + (index % Math.max(1, size - 1))) % size];
    const pair: Shot[] = [{ buyer, baseUrl: local.baseUrl, route: 'local' }];
    if (size > 1 && other !== undefined) pair.push({ buyer, baseUrl: other.baseUrl, route: 'forwarded' });
    // Either may go first: whatever the first of a pair pays for (a batch window, a wake-up) is shared.
    shots.push(...(index % 2 === 0 ? pair : pair.reverse()));
  }
  return shots;
}

async function latencyPhase(cluster: Cluster, buyers: readonly Buyer[], owners: readonly number[], samples: number, concurrency: number): Promise<LatencyPhase> {
  const shots = latencyShots(cluster, buyers, owners, samples);
  const before = await cluster.scrape();
  const mark = markCpu(cluster.nodes);
  const measured = await timeShots(shots, concurrency, `latency-c${concurrency}`);
  const cpu = cpuSince(mark, markCpu(cluster.nodes));
  const counters = countersBetween(before, await cluster.scrape());
  const local = summarize(measured.local);
  const forwarded = measured.forwarded.length === 0 ? null : summarize(measured.forwarded);
  return {
    concurrency,
    local,
    forwarded,
    overheadP50Ms: forwarded === null ? null : forwarded.p50 - local.p50,
    overheadP99Ms: forwarded === null ? null : forwarded.p99 - local.p99,
    failures: measured.failures,
    counters,
    cpu,
  };
}

async function throughputPhase(cluster: Cluster, buyers: readonly Buyer[], owners: readonly number[], routing: 'spread' | 'byOwner', options: ClusterBenchOptions): Promise<ThroughputPhase> {
  const size = cluster.nodes.length;
  const pick = (sequence: number) => {
    const buyerIndex = sequence % buyers.length;
    // Spread: node i takes the i-th round over the buyers, as a round-robin balancer in front of
    // the nodes would, so (N-1)/N of the deposits land on a node that does not own the wallet.
    const nodeIndex = routing === 'spread' ? Math.floor(sequence / buyers.length) % size : (owners[buyerIndex] ?? 0);
    const node = cluster.nodes[nodeIndex];
    const buyer = buyers[buyerIndex];
    if (node === undefined || buyer === undefined) throw new Error(`no node ${nodeIndex} or buyer ${buyerIndex}`);
    return { buyer, baseUrl: node.baseUrl };
  };
  const before = await cluster.scrape();
  const mark = markCpu(cluster.nodes);
  const loop = await closedLoop(pick, options.loopConcurrency, options.loopMs, `loop-${routing}`);
  const cpu = cpuSince(mark, markCpu(cluster.nodes));
  const counters = countersBetween(before, await cluster.scrape());
  return {
    routing,
    concurrency: options.loopConcurrency,
    seconds: loop.seconds,
    deposits: loop.deposits,
    failures: loop.failures,
    depositsPerSecond: loop.perSecond,
    latencyMs: summarize(loop.latenciesMs),
    forwardsPerSecond: counters.forwardsAnswered / loop.seconds,
    counters,
    cpu,
  };
}

/** Stops `victim` with `signal` and follows up to `options.movedKeys` of its keys through survivors. */
async function movePhase(cluster: Cluster, victim: NodeProcess, signal: 'SIGTERM' | 'SIGKILL', buyers: readonly Buyer[], options: ClusterBenchOptions): Promise<MovePhase> {
  const owners = await cluster.leases.owners();
  const victimShards = owners.flatMap((owner, shard) => (owner === victim.node ? [shard] : []));
  const moved = buyers.filter((buyer) => ownerOfKey(owners, buyer.key) === victim.node).slice(0, options.movedKeys);
  const survivors = cluster.nodes.filter((node) => node !== victim);
  await cluster.scrape([victim]);
  const before = await cluster.scrape(survivors);
  const mark = markCpu(cluster.nodes);
  const watch = cluster.leases.watchMoves(victimShards, victim.node);
  const signalAtMs = performance.now();
  // An unclean stop is recorded (and fails the run), not thrown while the keys are followed.
  const stopped = (signal === 'SIGTERM' ? victim.terminate() : victim.kill().then(() => performance.now() - signalAtMs)).then(
    (ms) => ({ ms, problem: null }),
    (error: unknown) => ({ ms: performance.now() - signalAtMs, problem: error instanceof Error ? error.message : String(error) }),
  );
  const follows = await Promise.all(
    moved.map((buyer, index) => {
      const via = survivors[index % survivors.length];
      if (via === undefined) throw new Error('no survivor');
      const shard = shardOf(buyer.key, options.shardCount);
      return followMovedKey(via.baseUrl, buyer, `${signal}-${index}`, signalAtMs, () => watch.leftAt(shard), moveDeadlineMs);
    }),
  );
  const { ms: processExitMs, problem: stopProblem } = await stopped;
  // Every shard of the victim held by a survivor, or the phase's deadline.
  while (victimShards.some((shard) => watch.claimedAt(shard) === null) && performance.now() - signalAtMs < moveDeadlineMs) await sleep(20);
  await watch.stop();
  const cpu = cpuSince(mark, markCpu(survivors));
  cluster.nodes.splice(cluster.nodes.indexOf(victim), 1);
  const counters = countersBetween(before, await cluster.scrape());
  const since = (at: number | null) => (at === null ? null : at - signalAtMs);
  const keys: MovedKeyResult[] = follows.map((follow) => {
    const shard = shardOf(follow.buyer.key, options.shardCount);
    return { shard, firstSuccessMs: follow.firstSuccessMs, longestGapMs: follow.longestGapMs, leftOwnerMs: since(watch.leftAt(shard)), claimedMs: since(watch.claimedAt(shard)), attempts: follow.attempts, failures: follow.failures };
  });
  const claimed = victimShards.map((shard) => watch.claimedAt(shard));
  const firsts = keys.map((key) => key.firstSuccessMs).filter((ms): ms is number => ms !== null);
  return {
    victim: victim.node,
    signal,
    leaseTtlMs: options.leaseTtlMs,
    shardsMoved: victimShards.length,
    keysFollowed: keys.length,
    keysServedAgain: firsts.length,
    firstSuccessMs: firsts.length === 0 ? null : { min: Math.min(...firsts), max: Math.max(...firsts) },
    allShardsClaimedMs: claimed.every((at) => at !== null) && claimed.length > 0 ? Math.max(...claimed.map((at) => (at ?? 0) - signalAtMs)) : null,
    processExitMs,
    stopProblem,
    keys,
    counters,
    cpu,
  };
}

/** SIGTERM of the last node (started again after), then SIGKILL of the first. */
async function handoffThenFailover(cluster: Cluster, settings: ClusterSettings, buyers: readonly Buyer[], options: ClusterBenchOptions): Promise<{ handoff: MovePhase; failover: MovePhase }> {
  const size = cluster.nodes.length;
  const last = cluster.nodes[size - 1];
  if (last === undefined) throw new Error('no last node');
  log(`cluster ×${size}: handoff, SIGTERM of ${last.node}…`);
  const handoff = await movePhase(cluster, last, 'SIGTERM', buyers, options);
  cluster.nodes.push(await startNode(last.node, settings));
  await cluster.leases.settle(cluster.names(), 20 * options.leaseTtlMs);
  // The first node's wallets resident again before it dies, so the failover replays them.
  const owners = await cluster.ownerIndexes(buyers);
  for (const [index, buyer] of buyers.entries()) await deposit(cluster.nodes[owners[index] ?? 0]?.baseUrl ?? '', buyer, 'before-failover');
  const first = cluster.nodes[0];
  if (first === undefined) throw new Error('no first node');
  log(`cluster ×${size}: failover, SIGKILL of ${first.node} (lease TTL ${options.leaseTtlMs} ms)…`);
  const failover = await movePhase(cluster, first, 'SIGKILL', buyers, options);
  return { handoff, failover };
}

export async function runClusterSize(size: number, options: ClusterBenchOptions): Promise<SizeResult> {
  const database = await createFreshDatabase(options.serverUrl, 'clusterbench');
  const settings: ClusterSettings = {
    databaseUrl: database.url,
    shardCount: options.shardCount,
    leaseTtlMs: options.leaseTtlMs,
    jwtSecret: 'cluster-bench-jwt-secret-of-at-least-32-characters',
    clusterSecret: 'cluster-bench-internal-secret-of-32-characters',
  };
  const cluster = new Cluster(openLeaseTable(database.url, options.shardCount, options.leaseTtlMs));
  // Ctrl-C (or bench/run.ts) mid-run: no node process or database is left behind.
  const forget = onInterrupt(async () => {
    await Promise.all(cluster.nodes.map((node) => node.kill()));
    await database.drop();
  });
  try {
    const startMs: number[] = [];
    for (let index = 1; index <= size; index += 1) {
      const startedAt = performance.now();
      cluster.nodes.push(await startNode(`n${index}`, settings));
      startMs.push(performance.now() - startedAt);
    }
    const settleMs = await cluster.leases.settle(cluster.names(), 20 * options.leaseTtlMs);
    log(`cluster ×${size}: ${size} node(s) up (${startMs.map((ms) => Math.round(ms)).join(', ')} ms), shards settled in ${Math.round(settleMs)} ms`);
    const buyers = await registerBuyers(cluster.nodes[0]?.baseUrl ?? '', options.buyers, Date.now().toString(36));
    const owners = await cluster.ownerIndexes(buyers);
    // Warm-up: every wallet through every node once (actors resident, JIT, keep-alive connections).
    for (const buyer of buyers) for (const node of cluster.nodes) await deposit(node.baseUrl, buyer, `warm-${node.node}`);

    // The nodes' own background work (lease rounds, heartbeats, consumers polling): what each
    // phase's node CPU includes besides the deposits.
    const idleMark = markCpu(cluster.nodes);
    await sleep(idleMs);
    const idleCpu = cpuSince(idleMark, markCpu(cluster.nodes));
    log(`cluster ×${size}: latency, ${options.samples} local${size > 1 ? ' and forwarded' : ''} deposits, sequential then ×${options.concurrency}…`);
    const latency = [await latencyPhase(cluster, buyers, owners, options.samples, 1), await latencyPhase(cluster, buyers, owners, options.samples, options.concurrency)];
    log(`cluster ×${size}: throughput, ${options.loopConcurrency} clients for ${options.loopMs} ms…`);
    const throughput = [await throughputPhase(cluster, buyers, owners, 'spread', options)];
    if (size > 1) throughput.push(await throughputPhase(cluster, buyers, owners, 'byOwner', options));

    const { handoff, failover } = size > 1 ? await handoffThenFailover(cluster, settings, buyers, options) : { handoff: null, failover: null };
    await cluster.scrape();
    return { nodes: size, startMs, settleMs, buyers: buyers.length, idleCpu, latency, throughput, handoff, failover, fencedBatches: cluster.fencedOverLifetimes() };
  } finally {
    forget();
    await cluster.stopAll();
    await cluster.leases.close();
    await database.drop();
  }
}
