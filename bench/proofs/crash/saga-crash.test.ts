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
import { openStores } from '../../../persistence/adapters/open-stores.ts';
import { seededRandom } from '../../../actors/testing/seeded-random.ts';
import { errorLogSummary, Report, verify, type FinishReport, type Verified } from './saga-crash-checks.ts';
import { type ObservedEvent, type SagaLine } from './saga-world.ts';

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
