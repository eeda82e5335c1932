/**
 * Journal benchmark: `npm run bench:journal` (BENCH_QUICK=1 for a smoke run of a few seconds).
 *
 * Measures SqlJournal appends/s and per-append latency (p50/p99, queueing included) with 1, 10,
 * 100 and 1,000 concurrent actors, with group commit ON (`batching: true`, the shipped limits)
 * and OFF (`batching: false`: one append per statement, one at a time), on PGlite in memory,
 * PGlite on disk, and PostgreSQL when DATABASE_URL is set (in a throwaway schema). An actor is
 * one key appending sequentially with `expectedSeq`, as an entity actor does; all actors of a
 * cell run at once. A cell runs for BENCH_CELL_MS (3 s) and then lets in-flight appends finish;
 * appends/s is every append over the whole time, drain included. Every cell records the cores
 * this process, PostgreSQL and everything else used meanwhile (lib/cpu.ts); a cell that other
 * processes disturbed (more than 0.2 cores) runs again, up to twice, and is flagged if it stays so.
 *
 * On PostgreSQL a third mode, OFF per actor, gives every actor its own unbatched journal, so up
 * to a pool's worth of single-row commits are in flight at once: the baseline a server would see
 * from code that simply inserted one row per command without any batching of its own.
 *
 * Writes bench/results/journal.json: every cell, the batch sizes the journal reported, the
 * machine, the commit, and the ON/OFF speed-up at 1,000 actors per store.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Db } from '../persistence/adapters/db.ts';
import type { GroupCommitStats } from '../persistence/adapters/group-commit.ts';
import type { GroupCommitOptions } from '../persistence/adapters/journal.ts';
import { SqlJournal } from '../persistence/adapters/sql-journal.ts';
import { limits } from '../runtime/limits.ts';
import { cpuBetween, sampleCpu, type CpuUse } from './lib/cpu.ts';
import { integerFromEnv, log, quick } from './lib/options.ts';
import { sleep } from './lib/pool.ts';
import { contention, finishRun, startRun, waitShare, type Run } from './lib/run.ts';
import { round, roundSummary, summarize, type Summary } from './lib/stats.ts';
import { openBenchStore, type BenchStore, type StoreKind } from './lib/stores.ts';
import { printTable } from './lib/table.ts';

type Mode = 'on' | 'off' | 'off-per-actor';

const modeLabels: Record<Mode, string> = { on: 'ON', off: 'OFF', 'off-per-actor': 'OFF per actor' };
const actorCounts = [1, 10, 100, 1_000] as const;
const cellMs = integerFromEnv('BENCH_CELL_MS', quick ? 400 : 3_000);
const warmUpMs = quick ? 200 : 1_000;
const databaseUrl = process.env['DATABASE_URL'] || undefined;
/** A cell disturbed by other processes (lib/cpu.ts) runs again, at most this many times, and
 *  only while all reruns together took less than `rerunBudgetMs`: on a machine that stays busy,
 *  reruns do not help, and the budget keeps the whole run under about 4 minutes. */
const busyRetriesMax = 2;
const rerunBudgetMs = quick ? 10_000 : 90_000;
let rerunMs = 0;

interface BatchStats {
  readonly batches: number;
  readonly items: number;
  readonly meanBatch: number;
  readonly largestBatch: number;
}

interface CellResult {
  readonly store: StoreKind;
  readonly mode: Mode;
  readonly actors: number;
  readonly appends: number;
  readonly elapsedMs: number;
  readonly appendsPerSec: number;
  readonly latencyMs: Summary;
  readonly batches: BatchStats;
  /** Cores busy during the cell; `otherCores` above 0.2 means the machine was shared. */
  readonly cpu: CpuUse | null;
  /** Runs of this cell; more than one means other runs were disturbed and discarded. */
  readonly attempts: number;
}

interface StoreRun {
  readonly kind: StoreKind;
  readonly location: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly openMs: number;
  readonly cells: CellResult[];
}

/** A realistic wallet entry: one Deposited event, with a UUID command id as the gateway sends. */
function depositEntry() {
  const commandId = randomUUID();
  return { events: [{ type: 'Deposited', commandId, amountMinor: 1_250 }], commandId, at: Date.now() };
}

function journalOptions(mode: Mode): GroupCommitOptions {
  return { maxBatch: limits.journalMaxBatch, maxWaitMs: limits.journalMaxWaitMs, batching: mode === 'on' };
}

function combineStats(stats: readonly GroupCommitStats[]): BatchStats {
  const batches = stats.reduce((sum, each) => sum + each.batches, 0);
  const items = stats.reduce((sum, each) => sum + each.items, 0);
  const largestBatch = stats.reduce((largest, each) => Math.max(largest, each.largestBatch), 0);
  return { batches, items, meanBatch: round(batches === 0 ? 0 : items / batches), largestBatch };
}

/** Runs `actorCount` actors appending for `durationMs`, then checks the journal holds exactly their entries. */
async function runCell(store: BenchStore, mode: Mode, actorCount: number, durationMs: number): Promise<Omit<CellResult, 'attempts'>> {
  const shared = new SqlJournal(store.db, journalOptions(mode));
  const journals =
    mode === 'off-per-actor' ? Array.from({ length: actorCount }, () => new SqlJournal(store.db, journalOptions(mode))) : [shared];
  const latenciesMs: number[] = [];
  const cpuAtStart = sampleCpu();
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  await Promise.all(
    Array.from({ length: actorCount }, async (_, actor) => {
      const journal = journals[actor % journals.length] ?? shared;
      const key = `bench:${actor}`;
      for (let seq = 0; performance.now() < deadline; seq += 1) {
        const sentAt = performance.now();
        const { entry, duplicate } = await journal.append(key, seq, depositEntry());
        latenciesMs.push(performance.now() - sentAt);
        if (duplicate || entry.seq !== seq + 1) throw new Error(`${key}: append after seq ${seq} gave seq ${entry.seq}, duplicate ${duplicate}`);
      }
    }),
  );
  const elapsedMs = performance.now() - startedAt;
  const cpu = cpuBetween(cpuAtStart, sampleCpu());
  await Promise.all(journals.map((journal) => journal.close()));
  await checkAndEmpty(store.db, latenciesMs.length);
  return {
    store: store.kind,
    mode,
    actors: actorCount,
    appends: latenciesMs.length,
    elapsedMs: Math.round(elapsedMs),
    appendsPerSec: Math.round((latenciesMs.length / elapsedMs) * 1_000),
    latencyMs: roundSummary(summarize(latenciesMs)),
    batches: combineStats(journals.map((journal) => journal.stats())),
    cpu,
  };
}

/** Every acknowledged append must be stored, once; then the table is emptied so cells start equal. */
async function checkAndEmpty(db: Db, acknowledged: number): Promise<void> {
  const [row] = await db.query<{ entries: number }>('SELECT count(*)::int AS entries FROM journal');
  if (row?.entries !== acknowledged) throw new Error(`the journal holds ${row?.entries} entries, ${acknowledged} were acknowledged`);
  await db.query('TRUNCATE journal');
}

/**
 * Runs a cell again while other processes disturbed it. Keeps the first undisturbed run, or else
 * the run that waited leastDisturbed for a core, flagged in the warnings.
 */
async function runUndisturbedCell(run: Run, store: BenchStore, mode: Mode, actors: number): Promise<CellResult> {
  const what = `${store.kind} ${modeLabels[mode]} ${actors} actors`;
  const waitOf = (cell: CellResult) => (cell.cpu === null ? 0 : waitShare(cell.cpu, store.kind === 'postgres'));
  let leastDisturbed: { cell: CellResult; busy: string } | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const startedAt = performance.now();
    const cell = { ...(await runCell(store, mode, actors, cellMs)), attempts: attempt };
    if (attempt > 1) rerunMs += performance.now() - startedAt;
    const busy = contention(what, cell.cpu, store.kind === 'postgres');
    if (busy === null) return cell;
    if (leastDisturbed === undefined || waitOf(cell) < waitOf(leastDisturbed.cell)) {
      leastDisturbed = { cell, busy };
    }
    if (attempt > busyRetriesMax || rerunMs > rerunBudgetMs) {
      run.warnings.push(leastDisturbed.busy);
      return { ...leastDisturbed.cell, attempts: attempt };
    }
    log(`  ${busy}; running it again`);
    await sleep(1_000);
  }
}

async function benchStore(run: Run, kind: StoreKind): Promise<StoreRun> {
  log(`opening ${kind}…`);
  const openedAt = performance.now();
  const store = await openBenchStore(kind, databaseUrl);
  const openMs = Math.round(performance.now() - openedAt);
  const cells: CellResult[] = [];
  try {
    // Warm the JIT, the connection pool and the table's first pages; these cells are discarded.
    await runCell(store, 'on', 100, warmUpMs);
    await runCell(store, 'on', 1, warmUpMs / 2);
    await runCell(store, 'off', 10, warmUpMs / 2);
    const modes: readonly Mode[] = kind === 'postgres' ? ['on', 'off', 'off-per-actor'] : ['on', 'off'];
    for (const actors of actorCounts) {
      for (const mode of modes) {
        const cell = await runUndisturbedCell(run, store, mode, actors);
        log(`  ${kind} ${modeLabels[mode]} ${actors} actors: ${cell.appendsPerSec} appends/s, p50 ${cell.latencyMs.p50} ms, p99 ${cell.latencyMs.p99} ms`);
        cells.push(cell);
      }
    }
  } finally {
    await store.close();
  }
  return { kind, location: store.location, settings: store.settings, openMs, cells };
}

function find(cells: readonly CellResult[], mode: Mode, actors: number): CellResult | undefined {
  return cells.find((cell) => cell.mode === mode && cell.actors === actors);
}

function speedUp(cells: readonly CellResult[], over: Mode, actors: number): number | null {
  const on = find(cells, 'on', actors);
  const off = find(cells, over, actors);
  return on === undefined || off === undefined ? null : round(on.appendsPerSec / off.appendsPerSec);
}

function formatCpu(cpu: CpuUse | null): string {
  return cpu === null ? '—' : `${cpu.ownCores.toFixed(2)}/${cpu.postgresCores.toFixed(2)}/${cpu.otherCores.toFixed(2)}`;
}

function printResults(runs: readonly StoreRun[]): void {
  printTable(
    `Journal appends (${cellMs} ms per cell, maxBatch ${limits.journalMaxBatch}, maxWaitMs ${limits.journalMaxWaitMs})`,
    ['store', 'group commit', 'actors', 'appends', 'appends/s', 'p50 ms', 'p99 ms', 'mean batch', 'largest batch', 'cores own/pg/other', 'waited %'],
    runs.flatMap((run) =>
      run.cells.map((cell) => [
        run.kind,
        modeLabels[cell.mode],
        cell.actors,
        cell.appends,
        cell.appendsPerSec,
        cell.latencyMs.p50,
        cell.latencyMs.p99,
        cell.batches.meanBatch,
        cell.batches.largestBatch,
        formatCpu(cell.cpu),
        cell.cpu === null ? '—' : Math.round(waitShare(cell.cpu, run.kind === 'postgres') * 100),
      ]),
    ),
  );
  printTable(
    'Group-commit speed-up (appends/s ON ÷ OFF)',
    ['store', 'actors', 'ON ÷ OFF', 'ON ÷ OFF per actor'],
    runs.flatMap((run) =>
      actorCounts.map((actors) => [
        run.kind,
        actors,
        speedUp(run.cells, 'off', actors) ?? '—',
        speedUp(run.cells, 'off-per-actor', actors) ?? '—',
      ]),
    ),
  );
}

async function main(): Promise<void> {
  const run = startRun('journal');
  const kinds: StoreKind[] = ['pglite-memory', 'pglite-disk'];
  const skipped: { store: StoreKind; reason: string }[] = [];
  if (databaseUrl === undefined) {
    skipped.push({ store: 'postgres', reason: 'DATABASE_URL is not set' });
    log('postgres: skipped, DATABASE_URL is not set');
  } else {
    kinds.push('postgres');
  }
  const runs: StoreRun[] = [];
  for (const kind of kinds) runs.push(await benchStore(run, kind));
  printResults(runs);
  await finishRun(run, {
    config: {
      cellMs,
      warmUpMs,
      actorCounts,
      maxBatch: limits.journalMaxBatch,
      maxWaitMs: limits.journalMaxWaitMs,
      entry: 'one Deposited event with a UUID command id',
      latency: 'from append() call to its result, queueing included; percentiles are nearest-rank, from an HDR histogram (3 significant digits)',
      throughput: 'appends ÷ time from the first append to the last result (drain included)',
    },
    stores: runs.map(({ kind, location, settings, openMs }) => ({ kind, location, settings, openMs })),
    skipped,
    cells: runs.flatMap((each) => each.cells),
    speedUpAt1000Actors: Object.fromEntries(runs.map((each) => [each.kind, speedUp(each.cells, 'off', 1_000)])),
    speedUpAt1000ActorsOverOffPerActor: Object.fromEntries(
      runs.filter((each) => each.kind === 'postgres').map((each) => [each.kind, speedUp(each.cells, 'off-per-actor', 1_000)]),
    ),
  });
}

await main();
