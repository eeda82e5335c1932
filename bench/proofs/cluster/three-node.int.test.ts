/**
 * The three-node fault proof of cluster mode (issue #16): three gateway processes (`npm start`'s
 * gateway/main.ts, nodes.ts) on a private PostgreSQL cluster this test makes and restarts
 * (persistence/adapters/testing/private-postgres.ts), 16 shards, leases of 1.5 s, escrow released
 * 2 s after shipping. Per seed, seeded checkout/ship/confirm/dispute traffic runs over HTTP
 * through all three nodes (traffic.ts) while each fault of faults.ts happens in turn: SIGKILL,
 * SIGSTOP for 2 × TTL, SIGSTOP inside a commit, a PostgreSQL restart, and a blackholed database
 * connection. Then, per seed (checks.ts): every acknowledged command is in the journal exactly
 * once; seqs have no gaps; each (shard, epoch) was written by one node only, the one granted it;
 * epochs never decrease along a key's seqs; every escrow is released at most once, and every
 * undisputed shipped one is; the read models equal a rebuild; the ledger audit is clean; and each
 * fault's failover (to the first success on a moved key) took at most TTL + 1 s (a PostgreSQL
 * restart: its own bound, below).
 *
 * `CLUSTER_PROOF_SEEDS=7` runs seeds 1..7 (3 by default); `CLUSTER_PROOF_SEED=5` runs seed 5 only;
 * `CLUSTER_PROOF_KEEP_LOGS=1` keeps the nodes' logs. A seed fixes the traffic's choices and the
 * fault victims; the interleaving of three processes is not seeded, so a rerun repeats the
 * workload and the faults, not the exact schedule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../actors/testing/seeded-random.ts';
import type { AuthDto } from '../../../gateway/api-types.ts';
import { openPostgres } from '../../../persistence/adapters/pg.ts';
import { shardOf } from '../../../persistence/cluster/shards.ts';
import { privatePostgresSkipReason, startPrivatePostgres, type PrivatePostgres } from '../../../persistence/adapters/testing/private-postgres.ts';
import { auditWhenSettled } from '../../load/market.ts';
import { checkAcknowledged, checkEscrow, checkJournal, checkProjectionsAndAudit } from './checks.ts';
import { ClusterClient } from './cluster-client.ts';
import { nodeIds, openClusterWorld, type ClusterWorld } from './cluster-world.ts';
import { faultNames, runFault, waitStable, type FaultContext, type FaultOutcome } from './faults.ts';
import { adminLogin, escrowReleaseMs, leaseTtlMs, shardCount } from './nodes.ts';
import { newRecord, runTraffic, setUpMarket, type Market, type TrafficRecord } from './traffic.ts';

if (privatePostgresSkipReason !== null) console.warn(`three-node.int.test.ts skipped: ${privatePostgresSkipReason}`);

const seedOverride = process.env['CLUSTER_PROOF_SEED'];
const seedCount = Number(process.env['CLUSTER_PROOF_SEEDS'] ?? 3);
const seeds = seedOverride === undefined ? Array.from({ length: seedCount }, (_, index) => index + 1) : [Number(seedOverride)];
/** `CLUSTER_PROOF_FAULTS=kill,blackhole` runs only those (to chase one); all five by default. */
const faults = (process.env['CLUSTER_PROOF_FAULTS']?.split(',') ?? [...faultNames]).map((name) => {
  const fault = faultNames.find((known) => known === name.trim());
  if (fault === undefined) throw new Error(`CLUSTER_PROOF_FAULTS: no fault ${name}; the faults are ${faultNames.join(', ')}`);
  return fault;
});
/** Story loops side by side: enough to keep every node's commit pipeline busy on 2 cores. */
const workers = 6;
/** The issue's bound, from the fault to the first success on a key whose shard it moved. */
const failoverBoundMs = leaseTtlMs + 1_000;
/**
 * A PostgreSQL restart is measured from the server being back, and has its own bound: every
 * lease and heartbeat lapsed during the outage, the first node to reconnect places every shard on
 * itself and hands the others' back a round later, so recovery takes a few rounds more (journaled
 * 1.0–2.0 s after the server was back over seeds 1–5 and reruns; the first 2xx once came 4.8 s
 * after, with the load average at 10).
 */
const restartRecoveryBoundMs = 3 * leaseTtlMs + 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stdout.write(`cluster proof ${new Date().toISOString().slice(11, 23)}: ${line}\n`);

async function waitForProducts(client: ClusterClient, market: Market): Promise<void> {
  for (const productId of market.sellers.flatMap((seller) => seller.productIds)) {
    for (let attempt = 0; ; attempt += 1) {
      const result = await client.command('GET', `/api/products/${productId}`, undefined);
      if (result.final && result.answer.ok) break;
      if (attempt > 100) throw new Error(`product ${productId} never reached the read model`);
      await sleep(100);
    }
  }
}

/** Until every undisputed shipped order has released (or the deadline), then until no saga holds money. */
async function settle(world: ClusterWorld, client: ClusterClient, record: TrafficRecord): Promise<void> {
  await sleep(escrowReleaseMs);
  const waiting = [...record.shipped.keys()].filter((orderId) => !record.disputed.has(orderId));
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(250)) {
    const [row] = await world.sql<{ released: number }[]>`
      SELECT count(DISTINCT j.key)::int AS released FROM journal j, json_array_elements(j.events) e
      WHERE j.key = ANY(${waiting.map((orderId) => `order:${orderId}`)}::text[]) AND e->>'type' = 'OrderCompleted'`;
    if ((row?.released ?? 0) >= waiting.length) break;
  }
  const admin = await client.expect<AuthDto>('POST', '/api/auth/login', undefined, adminLogin);
  const baseUrl = world.node('a').baseUrl;
  await auditWhenSettled(baseUrl, admin.token);
  // The read models catch up with the journal's head before the nodes stop.
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(100)) {
    const [row] = await world.sql<{ behind: boolean }[]>`
      SELECT coalesce((SELECT position FROM consumer_checkpoints WHERE consumer = 'read-models'), 0) < (SELECT position FROM journal_head) AS behind`;
    if (row?.behind === false) break;
  }
}

async function runSeed(postgres: PrivatePostgres, seed: number): Promise<void> {
  const startedAt = Date.now();
  say(`seed ${seed}: starting three nodes`);
  const world = await openClusterWorld(postgres.url, seed);
  try {
    // The first node alone makes the operator account; the other two then start side by side.
    const [first, ...others] = world.nodes;
    await first?.start();
    await Promise.all(others.map((node) => node.start()));
    const client = new ClusterClient({
      urls: () => new Map(world.nodes.filter((node) => node.running).map((node) => [node.id, node.baseUrl])),
    });
    say(`seed ${seed}: nodes up after ${Math.round((Date.now() - startedAt) / 1000)} s`);
    const record = newRecord();
    const market = await setUpMarket(client, seed, record);
    await waitForProducts(client, market);
    say(`seed ${seed}: market set up after ${Math.round((Date.now() - startedAt) / 1000)} s`);
    const context: FaultContext = { world, postgres, client, record, accounts: [...market.buyers, ...market.sellers], seed };
    await waitStable(context);
    let running = true;
    const ownerOf = async (key: string) => {
      const [lease] = await world.sql<{ owner: string }[]>`SELECT owner FROM shard_leases WHERE shard = ${shardOf(key, shardCount)} AND expires_at > now()`;
      return lease?.owner;
    };
    const traffic = runTraffic(client, market, seed, workers, () => running, record, ownerOf);
    const random = new SeededRandom(seed);
    const outcomes: FaultOutcome[] = [];
    try {
      await sleep(1_000);
      for (const fault of faults) {
        const outcome = await runFault(context, fault, random.pick(nodeIds));
        outcomes.push(outcome);
        say(
          `seed ${seed}: ${fault}${outcome.victim === null ? '' : ` of ${outcome.victim}`}: first success ${outcome.victim === null ? 'after the server was back' : 'on a moved key'} ` +
            `journaled after ${outcome.failoverMs ?? 'never'} ms by ${outcome.newOwner ?? 'nobody'}, answered after ${outcome.answeredMs ?? 'never'} ms (${outcome.note})`,
        );
        const settledMs = await waitStable(context);
        say(`seed ${seed}: shards back on all three nodes ${settledMs} ms later`);
        await sleep(500);
      }
    } finally {
      running = false;
    }
    const stories = await traffic;
    await settle(world, client, record);
    const problems = [...(await checkAcknowledged(world.sql, record)), ...(await checkJournal(world.sql))];
    const escrow = await checkEscrow(world.sql, record);
    problems.push(...escrow.problems);
    await Promise.all(world.nodes.map((node) => node.stop()));
    const db = await openPostgres(world.url, { max: 2 });
    try {
      problems.push(...(await checkProjectionsAndAudit(db)));
    } finally {
      await db.close();
    }
    if (escrow.counts.byTimer === 0) problems.push('no escrow was released by its timer: the proof did not exercise timers');
    const [journal] = await world.sql<{ rows: number; epochs: number }[]>`SELECT count(*)::int AS rows, count(DISTINCT (shard, epoch))::int AS epochs FROM journal`;
    say(
      `seed ${seed}: ${stories} stories, ${record.acknowledged.length} commands acknowledged, ${record.unanswered} unanswered; answers ${JSON.stringify(Object.fromEntries(record.answers))}; ` +
        `escrows released by timer ${escrow.counts.byTimer}, by buyer ${escrow.counts.byBuyer}, disputed ${escrow.counts.disputed}; journal ${journal?.rows} rows over ${journal?.epochs} (shard, epoch) grants; ${Math.round((Date.now() - startedAt) / 1000)} s`,
    );
    const latency = [...record.latencyMs].map(([kind, ms]) => {
      const sorted = [...ms].sort((left, right) => left - right);
      return `${kind} p50 ${sorted[Math.floor(sorted.length / 2)]} ms max ${sorted.at(-1)} ms`;
    });
    say(`seed ${seed}: ${record.resends} resends; ${latency.join(', ')}`);
    for (const problem of problems) say(`seed ${seed}: FAILED: ${problem}`);
    expect(problems, `seed ${seed}`).toEqual([]);
    for (const outcome of outcomes) {
      const boundMs = outcome.fault === 'postgres-restart' ? restartRecoveryBoundMs : failoverBoundMs;
      expect(outcome.failoverMs, `seed ${seed}: ${outcome.fault} failover`).not.toBeNull();
      expect(outcome.failoverMs ?? Infinity, `seed ${seed}: ${outcome.fault} failover`).toBeLessThanOrEqual(boundMs);
    }
  } finally {
    await world.close();
  }
}

describe.skipIf(privatePostgresSkipReason !== null)('three cluster nodes under faults', () => {
  let postgres: PrivatePostgres;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 60_000);

  afterAll(async () => {
    await postgres?.destroy();
  });

  for (const seed of seeds) {
    it(`seed ${seed}: acknowledged work survives SIGKILL, SIGSTOP, SIGSTOP in a commit, a PostgreSQL restart and a blackhole`, { timeout: 180_000 }, () => runSeed(postgres, seed));
  }
});
