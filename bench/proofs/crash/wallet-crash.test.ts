/**
 * The SIGKILL crash test (foundation issue): money must survive a process dying at any moment.
 *
 * For each seed, a child process (wallet-worker.ts) runs the real system on PGlite on disk and
 * a seeded wallet workload with many commands in flight, reporting every command it sends and
 * every reply it got. The test SIGKILLs it after a seeded number of acknowledgements, reopens
 * the data dir in this process (a restart) and checks, against the worker's report:
 * (a) every acknowledged command is journaled exactly once, at the seq its reply named, and a
 *     command whose last word was a rejection is not journaled at all;
 * (b) every key's seqs run 1..n with no gap and no commandId twice, and nothing is journaled
 *     that was never sent;
 * (c) the state each actor reports after the restart equals a replay of its journal, and so do
 *     its snapshot (at the snapshot's seq) and a second fresh runtime after every snapshot is
 *     deleted;
 * (d) no balance or locked balance is negative, no order has more money in flight than its
 *     buyer paid, and balances add up to deposits − withdrawals − money in flight;
 * (e) then it restarts the worker on the same dir, which recovers (re-runs every earlier flow,
 *     like a saga) and goes on, and kills it again. After the last kill a clean run recovers
 *     everything, after which no money is in flight at all.
 *
 * What this does not prove: survival of a power loss or kernel crash. A SIGKILL leaves the OS
 * page cache intact, and PGlite on disk never calls fsync (strace shows none, commits
 * included), so in embedded mode an acknowledged command is safe from a process crash only.
 *
 * Every assertion names its seed and cycle. Rerun one seed with
 * `CRASH_SEED=<seed> npx vitest run bench/proofs/crash/wallet-crash.test.ts` (`CRASH_SEEDS=<n>` runs
 * seeds 1..n, `CRASH_KILLS=<n>` sets the kills per seed). The kill points are seeded; the interleaving of concurrent commands is
 * not, so a rerun repeats the workload and kill points, not the exact schedule.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletDecider } from '../../../actors/wallet/wallet.ts';
import { openStores } from '../../../persistence/adapters/open-stores.ts';
import { parseConfig } from '../../../gateway/app/config.ts';
import { seededRandom } from '../../../actors/testing/seeded-random.ts';
import { silentLogger } from '../../../runtime/logger.ts';
import { ActorRuntime } from '../../../runtime/runtime.ts';
import { startSystem } from '../../../gateway/app/system.ts';
import type { WorkerLine } from './wallet-worker.ts';
import { checkAcknowledged, checkMoney, checkSnapshots, checkStreams, inspectAll, readJournal, Report, type Money } from './wallet-crash-checks.ts';

const seedOverride = process.env['CRASH_SEED'];
const seedCount = Number(process.env['CRASH_SEEDS'] ?? 3);
const seeds = seedOverride === undefined ? Array.from({ length: seedCount }, (_, index) => index + 1) : [Number(seedOverride)];
/** Kill/restart cycles per seed; a clean recovery run follows the last one. */
const killsPerSeed = Number(process.env['CRASH_KILLS'] ?? 3);
/** Flows each worker cycle generates (see wallet-worker.ts for what a flow is). */
const flowsPerCycle = 250;
/** The seeds run side by side (a worker mostly waits on its own PGlite); each takes ~40 s on
 *  this 2-core machine. The bound is generous because other test files may share the cores. */
const seedTimeoutMs = 420_000;
/** A worker that neither reaches its kill point nor exits by then has hung. */
const workerTimeoutMs = 150_000;

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const workerScript = fileURLToPath(new URL('./wallet-worker.ts', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Running the worker

interface WorkerRun {
  readonly lines: readonly WorkerLine[];
  readonly killed: boolean;
  readonly exitCode: number | null;
  readonly stderr: string;
  /** Bytes after the last newline: a line the kill cut in half (ignored). */
  readonly tornBytes: number;
}

function runWorker(args: readonly string[], killAfterAcks: number | null): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: WorkerLine[] = [];
    let pending = '';
    let stderr = '';
    let acks = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`worker ${args.join(' ')} hung: ${acks} acks in ${workerTimeoutMs} ms\n${stderr}`));
    }, workerTimeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as WorkerLine;
        lines.push(line);
        if (line.t === 'ack') acks += 1;
        // Lines already in the pipe when the kill lands are still real reports.
        if (killAfterAcks !== null && acks >= killAfterAcks) kill();
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ lines, killed, exitCode, stderr, tornBytes: pending.length });
    });
  });
}

interface Verified {
  readonly entries: number;
  readonly snapshots: number;
  readonly snapshotsBehindTail: number;
  readonly money: Money;
  readonly ms: number;
}

/** Restarts on the data dir in this process and runs checks (a)–(d). */
async function verify(context: string, dataDir: string, report: Report): Promise<Verified> {
  const startedAt = performance.now();
  const config = parseConfig({ DATA_DIR: dataDir, SNAPSHOT_EVERY: '7', LOG_LEVEL: 'silent' });
  const system = await startSystem(config, { logger: silentLogger });
  try {
    const entries = await readJournal(system);
    expect(checkStreams(entries, report), `${context}: (b) journal streams`).toEqual([]);
    expect(checkAcknowledged(entries, report), `${context}: (a) acknowledged commands`).toEqual([]);

    const walletIds = [...new Set([...report.wallets, ...[...entries.keys()].map((key) => key.slice('wallet:'.length))])];
    const restarted = await inspectAll(system.wallets, walletIds, entries, 'after restart');
    expect(restarted.problems, `${context}: (c) state after restart equals replay`).toEqual([]);

    const snapshotProblems: string[] = [];
    const snapshots = await checkSnapshots(system, entries, snapshotProblems);
    expect(snapshotProblems, `${context}: (c) snapshots equal replay at their seq`).toEqual([]);

    await system.stores.snapshots.deleteAll();
    const fresh = new ActorRuntime(system.runtime.deps);
    try {
      const withoutSnapshots = await inspectAll(fresh.register(walletDecider), walletIds, entries, 'without snapshots');
      expect(withoutSnapshots.problems, `${context}: (c) state without snapshots equals replay`).toEqual([]);
    } finally {
      fresh.stop();
    }

    const money = checkMoney(restarted.states);
    expect(money.problems, `${context}: (d) wallet invariants`).toEqual([]);

    // Recovery of the event processor: whatever was journaled but not processed is processed on start.
    await system.processor.drain();
    const head = await system.stores.journal.headPosition();
    expect(system.processor.lags().filter((lag) => lag.position < head), `${context}: processor backlog after restart`).toEqual([]);

    let entryCount = 0;
    for (const list of entries.values()) entryCount += list.length;
    return { entries: entryCount, snapshots: snapshots.count, snapshotsBehindTail: snapshots.behind, money, ms: Math.round(performance.now() - startedAt) };
  } finally {
    await system.stop();
  }
}

// ---------------------------------------------------------------------------------------------

let workDir: string;
let templateDir: string;

beforeAll(async () => {
  // A fresh PGlite takes ~5 s to initialise; every seed starts from a copy of one closed, migrated dir.
  workDir = await mkdtemp(join(tmpdir(), 'bazaary-crash-'));
  const stores = await openStores({ dataDir: join(workDir, 'template'), journal: { batching: true, maxBatch: 500, maxWaitMs: 0 } });
  await stores.close();
  templateDir = join(workDir, 'template', 'pglite');
});

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('wallets survive SIGKILL (PGlite on disk)', () => {
  it.concurrent.each(seeds)('seed %i: kill, restart and check', async (seed) => {
    const dataDir = join(workDir, `seed-${seed}`);
    await cp(templateDir, join(dataDir, 'pglite'), { recursive: true });
    const random = seededRandom(seed);
    const report = new Report();
    const timings: string[] = [];

    for (let cycle = 0; cycle <= killsPerSeed; cycle += 1) {
      const finishing = cycle === killsPerSeed;
      // Each run first re-runs every earlier flow (a few acks each), then its own; kill anywhere in there.
      const killAfterAcks = finishing ? null : 100 + Math.floor(random() * flowsPerCycle * (cycle + 1));
      const context = `seed ${seed} cycle ${cycle} (${finishing ? 'clean recovery run' : `killed after ${killAfterAcks} acks`})`;
      const startedAt = performance.now();
      const args = ['--data-dir', dataDir, '--seed', String(seed), '--cycle', String(cycle), '--flows', String(flowsPerCycle)];
      const run = await runWorker(finishing ? [...args, '--mode', 'finish'] : args, killAfterAcks);
      report.add(run.lines);
      const runMs = Math.round(performance.now() - startedAt);

      if (finishing) {
        expect(run.exitCode, `${context}: worker exit code; stderr:\n${run.stderr}`).toBe(0);
        expect(run.lines.at(-1)?.t, `${context}: the worker finished`).toBe('done');
      } else {
        expect(run.killed, `${context}: worker was killed, not finished (exit ${run.exitCode}); stderr:\n${run.stderr}`).toBe(true);
        expect(run.exitCode, `${context}: worker died of the kill; stderr:\n${run.stderr}`).toBe(null);
      }
      const verified = await verify(context, dataDir, report);
      if (finishing) {
        expect(verified.money.ordersInFlight, `${context}: (e) orders with money in flight after recovery`).toBe(0);
        expect(verified.money.inFlightMinor, `${context}: (e) money in flight after recovery`).toBe(0);
      }
      const ready = run.lines.find((line) => line.t === 'ready');
      const acks = run.lines.filter((line) => line.t === 'ack').length;
      timings.push(
        `cycle ${cycle}: worker ${runMs} ms (start ${ready?.t === 'ready' ? ready.startMs : '?'} ms, ${acks} acks${run.tornBytes > 0 ? ', torn line' : ''}),` +
          ` verify ${verified.ms} ms, ${verified.entries} entries, ${verified.snapshots} snapshots (${verified.snapshotsBehindTail} behind tail),` +
          ` ${verified.money.ordersInFlight} orders in flight`,
      );
    }
    expect(report.largestBatch, `seed ${seed}: the commit log batched entries`).toBeGreaterThan(1);
    process.stdout.write(`crash test seed ${seed}, largest batch ${report.largestBatch}:\n  ${timings.join('\n  ')}\n`);
  }, seedTimeoutMs);
});
