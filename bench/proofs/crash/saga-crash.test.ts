/**
 * The saga crash test (issue: "SIGKILL the process at random points inside checkouts and
 * releases, then restart, over many seeds. Every saga completes or is compensated and the audit
 * is clean.").
 *
 * For each seed, a child process (saga-worker.ts) runs the real system on PGlite on disk with the
 * system clock and short windows (ship-by 5 s, escrow release 2 s, step retry 1 s), and plays a
 * seeded marketplace: multi-seller checkouts (some unaffordable or out of stock, so parts fail
 * and are compensated), ships, confirms, seller and admin cancellations, disputes and their
 * resolutions, and orders left to the ship-by and auto-release timers. The test SIGKILLs it at a
 * seeded point of each run (killKinds): right after the n-th checkout is sent; right after the
 * n-th CheckoutStarted, CompensationStarted, ReleaseStarted or CancellationStarted is journaled,
 * so inside placing, compensating, releasing or refunding sagas; or n ms after start (in the
 * recovery of the previous kill, the set-up, or the timers' work); or the worker kills itself
 * while the commit log writes a batch spanning actor kinds, the actors running on behind it
 * (inflight-kill.ts: the commit pipeline's own hazard). Then it opens the dir in this
 * process and reads the journal only (no runtime, so nothing here wakes a saga):
 * (a) the journal audit (auditLedger) is clean: no drift, no anomaly (no negative balance, no
 *     money step twice, no money stranded in a finished order), and no wallet is negative;
 * (b) each settled order's money agrees with its status across buyer, seller and platform;
 * (c) stock is never negative and equals created − what live reservations hold; a reservation
 *     is held only for an order that is paid or shipped, and given back only by one that undid it;
 * (d) checkouts are all or nothing: a completed one's orders are all paid, a failed one's all
 *     failed or cancelled (or being cancelled);
 * (e) every acknowledged result holds: a checkout reported successful is COMPLETED with every
 *     order paid, one reported failed is FAILED, and each accepted action left its mark.
 * Then it restarts the worker on the same dir, which resumes by itself: nobody re-sends anything
 * for the dead client (see saga-worker.ts), so the event processor, the reloaded timers and the
 * sagas' RetrySteps wake-ups must finish what the kill cut short. After the last kill a finish
 * run waits until every saga has finished, and then also:
 * (f) every checkout is COMPLETED or FAILED and every order COMPLETED, CANCELLED or FAILED (or
 *     waiting on a person with its timer still due), with no step pending anywhere, and the
 *     audit has no money in flight;
 * (g) every saga's wake-up timer was first armed STEP_RETRY_AFTER ahead, checkouts' as orders';
 * (h) the event processor drained the whole journal (a consumer that keeps failing would stall
 *     the timer index behind it, and with it every ship-by, release and wake-up timer).
 * No worker may log a bug (a broken invariant, a saga step that threw, …; see bugSignatures).
 * A failure names its seed and cycle, and prints the journal and timer rows of the sagas at fault.
 *
 * A SIGKILL leaves the OS page cache intact, so this proves survival of a process crash, not of
 * a power loss (see wallet-crash.test.ts on PGlite and fsync).
 *
 * `SAGA_CRASH_SEED=<seed>` runs one seed, `SAGA_CRASH_SEEDS=<n>` seeds 1..n,
 * `SAGA_CRASH_KILLS=<n>` the kills per seed, and `SAGA_CRASH_KEEP=1` keeps the data dirs (with
 * each run's lines and log in `cycle-<n>.log`) for a post-mortem. The workload and the kill
 * points are seeded; the interleaving of concurrent sagas and the wall-clock timers are not, so
 * a rerun repeats the plan, not the exact schedule.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openStores, type Stores } from '../../../persistence/adapters/open-stores.ts';
import { auditLedger } from '../../../persistence/projections/readmodels/audit.ts';
import { seededRandom } from '../../../actors/testing/seeded-random.ts';
import {
  checkCheckouts,
  checkOrderMoney,
  checkRetryTimers,
  checkStock,
  checkWallets,
  describeStream,
  readWorld,
  unsettledSagas,
  type World,
} from './saga-ledger.ts';
import { sagaConfig, type ObservedEvent, type SagaLine } from './saga-world.ts';
import { checkoutKey, orderKey } from '../../../actors/keys.ts';

const seedOverride = process.env['SAGA_CRASH_SEED'];
const seedCount = Number(process.env['SAGA_CRASH_SEEDS'] ?? 3);
const seeds = seedOverride === undefined ? Array.from({ length: seedCount }, (_, index) => index + 1) : [Number(seedOverride)];
/** Kill/restart cycles per seed; a finish run follows the last one. */
const killsPerSeed = Number(process.env['SAGA_CRASH_KILLS'] ?? 3);
/** `SAGA_CRASH_KEEP=1` keeps every seed's data dir for a post-mortem. */
const keepDataDirs = process.env['SAGA_CRASH_KEEP'] === '1';
/**
 * A run not killed at its kill point is killed this long after its set-up (the flows usually
 * take longer), or, should the set-up never end, this long after start plus `setUpCapMs`.
 */
const runCapMs = 6_000;
const setUpCapMs = 8_000;
/**
 * The seeds run side by side: much of a run is waiting on wall-clock windows (kill points, the
 * ship-by and release windows, retry wake-ups, polls), which overlap well, while a worker's boot
 * (tsx, PGlite) and the checks are CPU work. One seed takes about a minute on this busy 2-core
 * machine; the bound is generous because other test files may share the cores.
 */
const seedTimeoutMs = 420_000;
/** A worker that is neither killed nor done by then has hung (the finish run waits up to 40 s). */
const workerTimeoutMs = 150_000;

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const workerScript = fileURLToPath(new URL('./saga-worker.ts', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Kill points

type KillPoint =
  | { readonly kind: 'checkout'; readonly n: number }
  | { readonly kind: 'saga'; readonly event: ObservedEvent; readonly n: number }
  | { readonly kind: 'time'; readonly ms: number }
  /** The worker kills itself at the n-th batch spanning actor kinds (inflight-kill.ts). */
  | { readonly kind: 'inflight'; readonly n: number };

/**
 * The kinds of kill point, taken in turn over the seeds' cycles (seed 1 cycles 0–2, then seed 2,
 * …), so that the default three seeds with three kills each cover them all, and hit releases and
 * compensations twice; how deep into the run each lands is seeded. A saga event's kill lands a
 * moment after the processor saw it journaled: while a release pays out (release_funds,
 * credit_fee), while a failed checkout cancels its paid orders, while a cancellation refunds
 * (void_pending, refund_buyer, release_stock), while a just-started checkout places its orders.
 */
const killKinds = ['checkout', 'ReleaseStarted', 'inflight', 'CompensationStarted', 'time', 'CancellationStarted', 'CheckoutStarted'] as const;

function killPointOf(seed: number, cycle: number, random: () => number): KillPoint {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const kind = killKinds[((seed - 1) * killsPerSeed + cycle) % killKinds.length] ?? 'time';
  switch (kind) {
    case 'checkout':
      return { kind: 'checkout', n: int(1, 5) };
    case 'time':
      // Early kills land in recovery (timers firing, retried steps) or in the set-up.
      return { kind: 'time', ms: int(150, 5_000) };
    case 'inflight':
      return { kind: 'inflight', n: int(2, 12) };
    default:
      return { kind: 'saga', event: kind, n: int(1, 4) };
  }
}

function describeKillPoint(point: KillPoint): string {
  switch (point.kind) {
    case 'checkout':
      return `after checkout #${point.n} is sent`;
    case 'saga':
      return `after ${point.event} #${point.n} is journaled`;
    case 'time':
      return `${point.ms} ms after start`;
    case 'inflight':
      return `by itself at batch #${point.n} spanning actors`;
    default:
      return point satisfies never;
  }
}

// ---------------------------------------------------------------------------------------------
// Running the worker

interface WorkerRun {
  readonly lines: readonly SagaLine[];
  /** What triggered the kill (null: not killed). */
  readonly killedBy: string | null;
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly ms: number;
}

function runWorker(args: readonly string[], killPoint: KillPoint | null): Promise<WorkerRun> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: SagaLine[] = [];
    const timers: NodeJS.Timeout[] = [];
    let pending = '';
    let stderr = '';
    let killedBy: string | null = null;
    let checkoutsSent = 0;
    let eventsSeen = 0;
    // Saga events count from the end of the set-up, so that the kill lands while flows run
    // (not on the first events the processor replays after a restart).
    let setUp = false;
    const kill = (why: string) => {
      if (killedBy !== null) return;
      killedBy = why;
      child.kill('SIGKILL');
    };
    timers.push(
      setTimeout(() => {
        kill('hang');
        reject(new Error(`worker ${args.join(' ')} hung for ${workerTimeoutMs} ms\n${stderr.slice(-4_000)}`));
      }, workerTimeoutMs),
    );
    const onLine = (line: SagaLine) => {
      lines.push(line);
      if (killPoint === null) return;
      if (line.t === 'ready') {
        timers.push(setTimeout(() => kill(`at the cap, ${setUpCapMs + runCapMs} ms after start, still setting up`), setUpCapMs + runCapMs));
        if (killPoint.kind === 'time') timers.push(setTimeout(() => kill(describeKillPoint(killPoint)), killPoint.ms));
      } else if (line.t === 'checkout-send' && killPoint.kind === 'checkout') {
        checkoutsSent += 1;
        if (checkoutsSent === killPoint.n) kill(`${describeKillPoint(killPoint)} (${line.id})`);
      } else if (line.t === 'inflight-kill' && killPoint.kind === 'inflight') {
        // The worker sends itself the SIGKILL; record why, and make sure it lands.
        kill(`${describeKillPoint(killPoint)} (${line.entries} entries of ${line.kinds.join(', ')}, ${line.queued} waiting)`);
      } else if (line.t === 'set-up') {
        setUp = true;
        timers.push(setTimeout(() => kill(`at the cap, ${runCapMs} ms after the set-up`), runCapMs));
      } else if (line.t === 'saga' && killPoint.kind === 'saga' && line.event === killPoint.event && setUp) {
        eventsSeen += 1;
        if (eventsSeen === killPoint.n) kill(`${describeKillPoint(killPoint)} (${line.key})`);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      // Lines already in the pipe when the kill lands are still real reports.
      for (const part of parts) {
        if (part === '') continue;
        try {
          onLine(JSON.parse(part) as SagaLine);
        } catch {
          // Not the worker's protocol (something else wrote to stdout): keep it for the failure message.
          stderr += `stdout: ${part}\n`;
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ lines, killedBy, exitCode, stderr, ms: Math.round(performance.now() - startedAt) });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What the worker reported, over every run of one seed

type CheckoutAck = Extract<SagaLine, { t: 'checkout' }>;
type ActionAck = Extract<SagaLine, { t: 'action' }>;

/**
 * What the runtime logs only when code is wrong: a decider's invariant, a saga step that threw,
 * an actor refusing its own step's outcome, a process manager that threw or re-lists a step it
 * just recorded. Any of these in a worker's log fails the test, whatever the journal says.
 */
const bugSignatures = [
  'invariant broken',
  'InvariantViolation',
  'saga step failed unexpectedly',
  'actor rejected the outcome of its own step',
  'process.effects threw',
  'step still pending right after its outcome was recorded',
  'after-message hook failed',
] as const;

class Report {
  readonly checkouts = new Map<string, CheckoutAck>();
  readonly actions: ActionAck[] = [];
  /** Log lines that name a bug (bugSignatures). */
  readonly bugLogs: string[] = [];

  add(run: WorkerRun): void {
    for (const line of run.lines) {
      // A later settling answer replaces a runtime failure's.
      if (line.t === 'checkout' && (line.ok || line.final || !this.checkouts.has(line.id))) this.checkouts.set(line.id, line);
      else if (line.t === 'action' && line.ok) this.actions.push(line);
    }
    for (const logLine of run.stderr.split('\n')) {
      if (bugSignatures.some((signature) => logLine.includes(signature))) this.bugLogs.push(logLine.slice(0, 600));
    }
  }
}

/**
 * Error-level log lines (pino level ≥ 50) of one run, by message, each with the actor and error
 * of its first occurrence, for the summary and for failure messages.
 */
function errorLogSummary(stderr: string): string {
  const counts = new Map<string, { count: number; first: string }>();
  for (const logLine of stderr.split('\n')) {
    if (!logLine.startsWith('{')) continue;
    try {
      const { level, msg, key, err } = JSON.parse(logLine) as { level?: number; msg?: string; key?: string; err?: { message?: string } };
      if ((level ?? 0) < 50) continue;
      const seen = counts.get(msg ?? '?');
      if (seen !== undefined) seen.count += 1;
      else counts.set(msg ?? '?', { count: 1, first: [key, err?.message?.slice(0, 300)].filter(Boolean).join(': ') });
    } catch {
      // A line the kill cut short.
    }
  }
  return [...counts].map(([msg, { count, first }]) => `${count}× ${msg}${first === '' ? '' : ` (first: ${first})`}`).join('; ');
}

/** (e): each acknowledged result is in the journal. */
function checkAcknowledged(world: World, report: Report): string[] {
  const problems: string[] = [];
  for (const ack of report.checkouts.values()) {
    const checkout = world.checkouts.get(ack.id);
    if (!ack.ok) {
      if (ack.final && checkout?.status !== 'FAILED') problems.push(`${checkoutKey(ack.id)} was reported failed (${ack.code}) but is ${checkout?.status}`);
      continue;
    }
    if (checkout?.status !== 'COMPLETED') problems.push(`${checkoutKey(ack.id)} was reported successful but is ${checkout?.status}`);
    for (const orderId of ack.orderIds) {
      const order = world.orders.get(orderId);
      if (order === undefined || order.paidAt === null || order.cancelReason === 'checkout_failed') {
        problems.push(`${orderKey(orderId)} of successful checkout ${ack.id} is ${order?.status} (${order?.cancelReason ?? 'no cancellation'})`);
      }
    }
  }
  for (const { orderId, action } of report.actions) {
    const order = world.orders.get(orderId);
    const marks: Record<typeof action, boolean> = {
      ship: order?.shipped === true,
      confirm: order?.releaseReason === 'buyer_confirmed',
      'seller-cancel': order?.cancelReason === 'seller_cancelled',
      'admin-cancel': order?.cancelReason === 'admin_cancelled',
      dispute: order?.dispute !== null && order?.dispute !== undefined,
      resolve: order?.cancelReason === 'dispute_refunded' || order?.releaseReason === 'dispute_released',
    };
    if (!marks[action]) problems.push(`${orderKey(orderId)}: ${action} was accepted but left no mark (${order?.status})`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Checks on the dir, after each kill and after the finish run

interface Verified {
  readonly orders: number;
  readonly checkouts: number;
  readonly entries: number;
  readonly inFlightOrders: number;
  readonly statuses: string;
  readonly ms: number;
}

/**
 * The journal of the sagas the problems name (their first few), with their rows in the timers
 * table: enough to see where a saga stopped and whether anything was left to wake it.
 */
async function diagnose(stores: Stores, world: World, problems: readonly string[]): Promise<string> {
  const keys = [...new Set(problems.flatMap((problem) => problem.match(/\b(?:checkout|order):[\w.-]+/g) ?? []))].slice(0, 4);
  const parts: string[] = [];
  for (const key of keys) {
    const timers = await stores.db.query<{ id: string; due_at: number; fired_at: number | null; cancelled_at: number | null }>(
      'SELECT id, due_at, fired_at, cancelled_at FROM timers WHERE target_key = $1 ORDER BY due_at',
      [key],
    );
    const timerText = timers.map((row) => `  timer ${row.id} due ${row.due_at} fired ${row.fired_at} cancelled ${row.cancelled_at}`);
    parts.push([`${key}:`, describeStream((world.entries.get(key) ?? []).slice(-60)), ...timerText].join('\n'));
  }
  return parts.join('\n');
}

function statusCounts(world: World): string {
  const counts = new Map<string, number>();
  for (const order of world.orders.values()) counts.set(order.status, (counts.get(order.status) ?? 0) + 1);
  for (const checkout of world.checkouts.values()) counts.set(`checkout ${checkout.status}`, (counts.get(`checkout ${checkout.status}`) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

/** One check's verdict: its problems (none when it holds), with the journals of the sagas they name. */
interface Finding {
  readonly check: string;
  readonly problems: readonly string[];
}

async function finding(stores: Stores, world: World, check: string, problems: readonly string[]): Promise<Finding> {
  if (problems.length === 0) return { check, problems };
  return { check: `${check}\n${await diagnose(stores, world, problems)}`, problems: problems.slice(0, 30) };
}

/** Consumers whose saved checkpoint is short of the journal's head (the finish run drained them all). */
async function consumersBehind(stores: Stores): Promise<string[]> {
  const head = await stores.journal.headPosition();
  const rows = await stores.db.query<{ consumer: string; position: number }>(`SELECT consumer, position FROM consumer_checkpoints WHERE consumer <> '*'`);
  const behind = rows.filter((row) => Number(row.position) < head).map((row) => `consumer ${row.consumer} checkpointed ${row.position} of ${head}`);
  return head > 0 && rows.length === 0 ? ['no consumer saved a checkpoint', ...behind] : behind;
}

/** What the finish run reported: when it ended, and whether it drained the event processor. */
interface FinishReport {
  readonly finishedAtMs: number;
  readonly drainError: string | null;
}

/**
 * Opens the dir in this process (the worker is dead or done) and runs checks (a)–(e) on the
 * journal, and (f)–(h) after the finish run; the caller asserts each finding, in order, with its
 * test's own `expect`.
 */
async function verify(dataDir: string, report: Report, finish: FinishReport | null): Promise<{ findings: Finding[]; verified: Verified }> {
  const final = finish !== null;
  const startedAt = performance.now();
  const stores = await openStores({ dataDir, journal: { batching: false, maxBatch: 1, maxWaitMs: 0 } });
  try {
    const world = await readWorld(stores.journal);
    const audit = await auditLedger(stores.journal);
    const auditProblems = audit.ok ? [] : [`audit not ok: ${JSON.stringify(audit.totals)}`, ...audit.anomalies.map((anomaly) => JSON.stringify(anomaly))];
    const checks: [string, readonly string[]][] = [
      ['(a) audit clean (no drift, no anomaly)', auditProblems],
      ['(a) no negative wallet', checkWallets(world)],
      ['(b) order money agrees with status', checkOrderMoney(world)],
      ['(c) stock and reservations', checkStock(world, final)],
      ['(d) checkouts all or nothing', checkCheckouts(world)],
      ['(e) acknowledged results', checkAcknowledged(world, report)],
    ];
    if (finish !== null) {
      const inFlight = audit.inFlight.map((order) => `${orderKey(order.orderId)} ${order.orderStatus} holds ${order.inFlightMinor} in flight`);
      const backlog = await consumersBehind(stores);
      const drainProblems = finish.drainError === null ? [] : [`the finish run could not drain the event processor: ${finish.drainError}`];
      // (h) and (g) first: each names a cause of what (f) would only show as stalled sagas (a
      // stuck event processor stops indexing timers; a wake-up armed too far ahead comes late).
      checks.push(
        ['(h) the event processor drained the journal', [...drainProblems, ...backlog]],
        ['(g) wake-up timers honour STEP_RETRY_AFTER', checkRetryTimers(world, sagaConfig(dataDir).orders.stepRetryMs)],
        ['(f) every saga finished after the finish run', unsettledSagas(world, finish.finishedAtMs)],
        ['(f) no money in flight after the finish run', audit.totals.inFlightMinor === '0' ? inFlight : [`${audit.totals.inFlightMinor} in flight`, ...inFlight]],
      );
    }
    const findings: Finding[] = [];
    for (const [check, problems] of checks) findings.push(await finding(stores, world, check, problems));
    let entries = 0;
    for (const list of world.entries.values()) entries += list.length;
    const verified: Verified = {
      orders: world.orders.size,
      checkouts: world.checkouts.size,
      entries,
      inFlightOrders: audit.inFlight.length,
      statuses: statusCounts(world),
      ms: Math.round(performance.now() - startedAt),
    };
    return { findings, verified };
  } finally {
    await stores.close();
  }
}

// ---------------------------------------------------------------------------------------------

let workDir: string;
let templateDir: string;

beforeAll(async () => {
  // A fresh PGlite takes ~5 s to initialise; every seed starts from a copy of one closed, migrated dir.
  workDir = await mkdtemp(join(tmpdir(), 'bazaary-saga-crash-'));
  const stores = await openStores({ dataDir: join(workDir, 'template'), journal: { batching: true, maxBatch: 500, maxWaitMs: 0 } });
  await stores.close();
  templateDir = join(workDir, 'template', 'pglite');
});

afterAll(async () => {
  if (workDir === undefined) return;
  if (keepDataDirs) process.stdout.write(`saga crash test: data dirs kept in ${workDir}\n`);
  else await rm(workDir, { recursive: true, force: true });
});

describe('sagas survive SIGKILL (PGlite on disk, system clock)', () => {
  // Concurrent tests must assert with their own `expect`, the test context's.
  it.concurrent.for(seeds)('seed %i: kill inside checkouts and releases, restart, finish, audit', { timeout: seedTimeoutMs }, async (seed, { expect }) => {
    const dataDir = join(workDir, `seed-${seed}`);
    await cp(templateDir, join(dataDir, 'pglite'), { recursive: true });
    const random = seededRandom(seed);
    const report = new Report();

    for (let cycle = 0; cycle <= killsPerSeed; cycle += 1) {
      const finishing = cycle === killsPerSeed;
      const killPoint = finishing ? null : killPointOf(seed, cycle, random);
      const args = ['--data-dir', dataDir, '--seed', String(seed), '--cycle', String(cycle), '--mode', finishing ? 'finish' : 'run'];
      if (killPoint?.kind === 'inflight') args.push('--kill-inflight', String(killPoint.n));
      const run = await runWorker(args, killPoint);
      if (keepDataDirs) await writeFile(join(dataDir, `cycle-${cycle}.log`), `${run.lines.map((line) => JSON.stringify(line)).join('\n')}\n${run.stderr}`);
      report.add(run);
      const context = `seed ${seed} cycle ${cycle} (${finishing ? 'finish run' : `killed ${run.killedBy ?? 'never'}`})`;
      const stderrTail = `stderr:\n${run.stderr.slice(-4_000)}`;
      if (finishing) {
        expect(run.exitCode, `${context}: worker exit code; ${stderrTail}`).toBe(0);
        expect(run.lines.at(-1)?.t, `${context}: the finish run ended`).toBe('done');
      } else {
        expect(run.killedBy, `${context}: worker was killed, not ended (exit ${run.exitCode}); ${stderrTail}`).not.toBeNull();
        expect(run.exitCode, `${context}: worker died of the kill; ${stderrTail}`).toBe(null);
      }
      expect(report.bugLogs, `${context}: the worker logged a bug`).toEqual([]);
      const { findings, verified } = await verify(dataDir, report, finishing ? finishReport(run) : null);
      // Printed before the checks, so that a failing seed still shows how far it got.
      process.stdout.write(`saga crash test seed ${seed} ${describeRun(cycle, run, verified)}\n`);
      const errors = errorLogSummary(run.stderr);
      for (const { check, problems } of findings) {
        expect(problems, `${context}: ${check}${errors === '' ? '' : `\nworker error logs in this run: ${errors}`}`).toEqual([]);
      }
    }
  });
});

function finishReport(run: WorkerRun): FinishReport {
  const settled = run.lines.find((line) => line.t === 'settled');
  const drained = run.lines.find((line) => line.t === 'drained');
  return {
    finishedAtMs: settled?.t === 'settled' ? settled.atMs : 0,
    drainError: drained?.t === 'drained' ? drained.error : 'the finish run never reported draining',
  };
}

function describeRun(cycle: number, run: WorkerRun, verified: Verified): string {
  const ready = run.lines.find((line) => line.t === 'ready');
  const settled = run.lines.find((line) => line.t === 'settled');
  const sent = run.lines.filter((line) => line.t === 'checkout-send').length;
  const acked = run.lines.filter((line) => line.t === 'checkout').length;
  const owed = run.lines.filter((line) => line.t === 'owed').reduce((sum, line) => sum + (line.t === 'owed' ? line.resolved : 0), 0);
  const errors = errorLogSummary(run.stderr);
  const setUp = run.lines.find((line) => line.t === 'set-up');
  const setUpText = setUp?.t === 'set-up' ? `, set-up ${setUp.setUpMs} ms + owed ${setUp.owedMs} ms` : '';
  // The finish run's progress: sagas still unfinished at each of its polls.
  const waiting = run.lines.flatMap((line) => (line.t === 'waiting' ? [line.unsettled] : []));
  if (settled?.t === 'settled') waiting.push(settled.unsettled.length);
  const how =
    run.killedBy === null
      ? `finished (waited ${settled?.t === 'settled' ? settled.waitedMs : '?'} ms; unsettled ${waiting.join('→')})`
      : `killed ${run.killedBy}`;
  return (
    `cycle ${cycle}: ${how}; worker ${run.ms} ms (start ${ready?.t === 'ready' ? ready.startMs : '?'} ms${setUpText}), ` +
    `${sent} checkouts sent, ${acked} answered, ${owed} owed disputes resolved; verify ${verified.ms} ms: ` +
    `${verified.entries} entries, ${verified.checkouts} checkouts, ${verified.orders} orders (${verified.statuses}), ` +
    `${verified.inFlightOrders} with money in flight${errors === '' ? '' : `; error logs: ${errors}`}`
  );
}
