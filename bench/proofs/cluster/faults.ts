/**
 * The five faults, each against a running three-node cluster with traffic, and the failover time
 * of each: from the fault to the first acknowledged command on a key of a shard the fault moved
 * (a deposit to a wallet whose shard the victim owned, sent every 50 ms through the other nodes).
 *
 * - `kill`: SIGKILL of the victim, then a restart (same node id, ports and data dir).
 * - `pause`: SIGSTOP of the victim for 2 × TTL, then SIGCONT.
 * - `pause-in-commit`: SIGSTOP of the victim while its journal batch is inside its commit. The
 *   proof holds the journal_head row (FOR UPDATE, in its own transaction) and watches
 *   pg_stat_activity until a session named `bazaary-<victim>` waits on that lock in the journal's
 *   batch insert: by then the statement has already read its lease rows FOR SHARE. The victim is
 *   stopped, the row let go, and the batch commits on the server while its node is frozen; it
 *   gets the answer only after SIGCONT, 2 × TTL later, when its shards have moved.
 * - `postgres-restart`: the private server stopped (fast: open sessions are cut) and started;
 *   measured from the moment it is back (every lease may have lapsed meanwhile, so every key moves).
 * - `blackhole`: the victim's database proxy stops moving bytes for 2 × TTL, then delivers.
 */
import { walletKey } from '../../../actors/keys.ts';
import type { PrivatePostgres } from '../../../persistence/adapters/testing/private-postgres.ts';
import { rendezvousOwner, shardOf } from '../../../persistence/cluster/shards.ts';
import type { ClusterClient } from './cluster-client.ts';
import type { ClusterWorld } from './cluster-world.ts';
import { appName, leaseTtlMs, shardCount } from './nodes.ts';
import { deposit, registerUser, type Account, type TrafficRecord } from './traffic.ts';

export const faultNames = ['kill', 'pause', 'pause-in-commit', 'postgres-restart', 'blackhole'] as const;
export type FaultName = (typeof faultNames)[number];

export interface FaultOutcome {
  readonly fault: FaultName;
  readonly victim: string | null;
  /** From the fault (for a PostgreSQL restart: from the server being back) to the first success on
   *  a moved key: the first probe its new owner journaled (the row's at_ms, the node's clock, which
   *  is this machine's). */
  readonly failoverMs: number | null;
  /** From the fault to the first 2xx a probe got back: later by what a reply waits for (the
   *  read models to show the write, up to 2 s, gateway/app/commerce.ts `readYourWritesMs`). */
  readonly answeredMs: number | null;
  /** Which node journaled that first probe, at which epoch. */
  readonly newOwner: string | null;
  readonly note: string;
}

type Failover = Pick<FaultOutcome, 'failoverMs' | 'answeredMs' | 'newOwner'>;

const pauseMs = 2 * leaseTtlMs;
const probeEveryMs = 50;
const probeGiveUpMs = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FaultContext {
  readonly world: ClusterWorld;
  readonly postgres: PrivatePostgres;
  readonly client: ClusterClient;
  readonly record: TrafficRecord;
  /** Accounts whose wallets can serve as probe keys; more are registered when none fits. */
  readonly accounts: Account[];
  readonly seed: number;
}

async function ownedShards(context: FaultContext, node: string): Promise<number[]> {
  const rows = await context.world.sql<{ shard: number }[]>`SELECT shard FROM shard_leases WHERE owner = ${node} AND expires_at > now() ORDER BY shard`;
  return rows.map((row) => row.shard);
}

/** Until every shard is leased, live, to the node rendezvous placement gives it among all three. */
export async function waitStable(context: FaultContext, timeoutMs = 20_000): Promise<number> {
  const startedAt = Date.now();
  const ids = context.world.nodes.map((node) => node.id);
  for (;;) {
    const rows = await context.world.sql<{ shard: number; owner: string }[]>`SELECT shard, owner FROM shard_leases WHERE owner IS NOT NULL AND expires_at > now()`;
    const placed = rows.length === shardCount && rows.every((row) => rendezvousOwner(row.shard, ids) === row.owner);
    if (placed) return Date.now() - startedAt;
    if (Date.now() - startedAt > timeoutMs) throw new Error(`the cluster did not settle its shards in ${timeoutMs} ms: ${JSON.stringify(rows)}`);
    await sleep(50);
  }
}

/** An account whose wallet lies on one of `shards`, registering probe accounts until one does. */
async function probeAccount(context: FaultContext, shards: readonly number[]): Promise<Account> {
  for (let index = 0; index < 200; index += 1) {
    const fitting = context.accounts.find((account) => shards.includes(shardOf(walletKey(account.userId), shardCount)));
    if (fitting !== undefined) return fitting;
    const probe = await registerUser(context.client, 'BUYER', `proof-probe-${context.seed}-${Date.now().toString(36)}-${index}@example.test`);
    context.accounts.push(probe);
  }
  throw new Error(`no probe account on shards ${shards.join(', ')}`);
}

/**
 * Deposits of 1 cent to the probe's wallet, a fresh command id every 50 ms, each sent once to the
 * next of `nodes` (in flight side by side: an attempt stuck on a frozen owner does not hold up
 * the next). Resolves with the ms from `faultAt` to the first 2xx. Acknowledged probes are
 * recorded like any other deposit; unanswered ones are not known and not counted.
 */
async function firstSuccess(context: FaultContext, nodes: readonly string[], probe: Account, faultAt: number, label: string): Promise<Failover> {
  const first: { at: number | null } = { at: null };
  const inFlight: Promise<void>[] = [];
  const urls = nodes.map((id) => context.world.node(id).baseUrl);
  for (let attempt = 0; first.at === null && Date.now() - faultAt < probeGiveUpMs; attempt += 1) {
    const commandId = `probe-${label}-${attempt}`;
    const baseUrl = urls[attempt % urls.length] ?? '';
    inFlight.push(
      context.client.once(baseUrl, 'POST', '/api/wallet/deposit', probe.token, { commandId, amountMinor: 1 }).then((answer) => {
        if (answer === null || !answer.ok) return;
        first.at ??= Date.now();
        context.record.acknowledged.push({ kind: 'deposit', key: walletKey(probe.userId), commandId: `user:${commandId}` });
      }),
    );
    await sleep(probeEveryMs);
  }
  await Promise.all(inFlight);
  const [journaled] = await context.world.sql<{ at_ms: string; writer: string; epoch: string }[]>`
    SELECT at_ms, writer, epoch FROM journal WHERE key = ${walletKey(probe.userId)} AND command_id LIKE ${`user:probe-${label}-%`} ORDER BY seq LIMIT 1`;
  return {
    failoverMs: journaled === undefined ? null : Number(journaled.at_ms) - faultAt,
    answeredMs: first.at === null ? null : first.at - faultAt,
    newOwner: journaled === undefined ? null : `${journaled.writer.replace(/^bazaary-/, '')} at epoch ${journaled.epoch}`,
  };
}

async function pauseInsideCommit(context: FaultContext, victim: string): Promise<{ caught: boolean; tries: number; committedWhileStopped: number }> {
  const { sql } = context.world;
  for (let tries = 1; tries <= 30; tries += 1) {
    const reserved = await sql.reserve();
    try {
      await reserved.unsafe('BEGIN');
      const [head] = await reserved.unsafe<{ position: string }[]>('SELECT position FROM journal_head FOR UPDATE');
      // The node's lock_timeout is TTL / 2: look for its batch well within that.
      for (const startedAt = Date.now(); Date.now() - startedAt < leaseTtlMs / 3; await sleep(3)) {
        const waiting = await sql`SELECT pid FROM pg_stat_activity
          WHERE application_name = ${appName(victim)} AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO journal (position%shard_seq)%'`;
        if (waiting.length === 0) continue;
        context.world.node(victim).signal('SIGSTOP');
        await reserved.unsafe('COMMIT');
        await sleep(200);
        const [written] = await sql<{ rows: number }[]>`SELECT count(*)::int AS rows FROM journal WHERE writer = ${appName(victim)} AND position > ${head?.position ?? '0'}`;
        return { caught: true, tries, committedWhileStopped: written?.rows ?? 0 };
      }
      await reserved.unsafe('ROLLBACK');
    } finally {
      reserved.release();
    }
    await sleep(100);
  }
  context.world.node(victim).signal('SIGSTOP');
  return { caught: false, tries: 30, committedWhileStopped: 0 };
}

export async function runFault(context: FaultContext, fault: FaultName, victim: string): Promise<FaultOutcome> {
  const { world } = context;
  const survivors = world.nodes.map((node) => node.id).filter((id) => id !== victim);
  const probe = await probeAccount(context, await ownedShards(context, victim));
  const label = `${context.seed}-${fault}`;
  // The probe wallet's actor is resident on its owner before the fault, as a busy key's would be.
  await deposit(context.client, probe, `warm-${label}`, 1, context.record);
  switch (fault) {
    case 'kill': {
      const faultAt = Date.now();
      await world.node(victim).kill();
      const failover = await firstSuccess(context, survivors, probe, faultAt, label);
      await world.node(victim).start();
      return { fault, victim, ...failover, note: 'restarted' };
    }
    case 'pause':
    case 'pause-in-commit': {
      const caught = fault === 'pause' ? null : await pauseInsideCommit(context, victim);
      if (caught === null) world.node(victim).signal('SIGSTOP');
      const faultAt = Date.now();
      const resume = sleep(pauseMs).then(() => world.node(victim).signal('SIGCONT'));
      const failover = await firstSuccess(context, survivors, probe, faultAt, label);
      await resume;
      const note = caught === null ? `stopped ${pauseMs} ms` : caught.caught ? `stopped inside its batch's commit (try ${caught.tries}); ${caught.committedWhileStopped} row(s) of that batch committed while it was stopped` : 'NOT caught inside a commit in 30 tries: stopped anyway';
      return { fault, victim, ...failover, note };
    }
    case 'postgres-restart': {
      const stoppedAt = Date.now();
      context.postgres.stop();
      context.postgres.start();
      const backAt = Date.now();
      const failover = await firstSuccess(context, world.nodes.map((node) => node.id), probe, backAt, label);
      return { fault, victim: null, ...failover, note: `server down ${backAt - stoppedAt} ms` };
    }
    case 'blackhole': {
      const proxy = world.proxies.get(victim);
      if (proxy === undefined) throw new Error(`no proxy for ${victim}`);
      const faultAt = Date.now();
      proxy.blackhole();
      const restore = sleep(pauseMs).then(() => proxy.restore());
      const failover = await firstSuccess(context, survivors, probe, faultAt, label);
      await restore;
      return { fault, victim, ...failover, note: `database connections blackholed ${pauseMs} ms` };
    }
    default: {
      const unknown: never = fault;
      throw new Error(`unknown fault ${String(unknown)}`);
    }
  }
}
