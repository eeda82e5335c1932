/**
 * Rehydration and resident-memory benchmark:
 *
 *   node --expose-gc --import tsx bench/rehydrate.bench.ts      (npm run bench:rehydrate)
 *
 * `--expose-gc` lets the memory part force full collections before each reading; without it the
 * script still runs but warns, and its memory numbers include garbage not yet collected.
 * `--import tsx` runs the TypeScript directly (`npx tsx --expose-gc bench/rehydrate.bench.ts` works too).
 * BENCH_QUICK=1 shrinks both parts to a smoke run; BENCH_ACTORS sets part (b)'s actor count
 * (100,000); BENCH_STORE=pglite-disk runs on PGlite on disk instead of in memory; BENCH_PART=
 * rehydrate or memory runs one part only (the result file then holds null for the other).
 *
 * (a) Rehydrate time per actor, through the real ActorRuntime: wallets are built by Deposit
 *     commands (so the runtime takes its own snapshots), passivated with `passivateIdle(0)`, and
 *     woken by `inspect`. Cases: no snapshot with journals of 1 to 5,000 entries, and a snapshot
 *     every 100 entries with tails of 0 to 99. Reported: the cold first message one actor at a
 *     time (p50/p99), the same message to the now-resident actor (the ask's own cost), and the
 *     amortised cost when all the case's actors wake at once.
 * (b) Resident memory per idle actor: 100,000 wallets with one deposit each. Heap and RSS are
 *     read after creating them, after passivating them, after waking them all again (the
 *     journal does not grow then, so that delta is the actors alone), and after passivating again.
 *
 * Writes bench/results/rehydrate.json with the machine and commit.
 */
import { performance } from 'node:perf_hooks';
import { walletDecider, type WalletCommand, type WalletEvent, type WalletState } from '../actors/wallet/wallet.ts';
import { SqlJournal } from '../persistence/adapters/sql-journal.ts';
import { SqlSnapshotStore } from '../persistence/adapters/sql-snapshots.ts';
import { VirtualClock } from '../runtime/clock.ts';
import { limits, type Limits } from '../runtime/limits.ts';
import { silentLogger } from '../runtime/logger.ts';
import { ActorRuntime, type EntityKind } from '../runtime/runtime.ts';
import { gcExposed, memoryDelta, perItem, readMemory } from './lib/memory.ts';
import { integerFromEnv, log, quick } from './lib/options.ts';
import { forEachConcurrently } from './lib/pool.ts';
import { cpuBetween, sampleCpu, type CpuUse } from './lib/cpu.ts';
import { contention, finishRun, startRun, type Run } from './lib/run.ts';
import { round, roundSummary, summarize, type Summary } from './lib/stats.ts';
import { openBenchStore, type BenchStore, type StoreKind } from './lib/stores.ts';
import { printCases, printMemory, type Case, type CaseResult, type MemoryResult } from './lib/rehydrate-report.ts';
import { walletKey } from '../actors/keys.ts';

type Wallets = EntityKind<WalletState, WalletCommand, WalletEvent>;

const depositMinor = 1_250;
/** Commands in flight while building or waking many actors: enough to fill group-commit batches. */
const driveConcurrency = 500;
/** A measurement disturbed by other processes (lib/cpu.ts) is taken again at most this many times. */
const busyRetriesMax = 2;
const memoryActors = integerFromEnv('BENCH_ACTORS', quick ? 5_000 : 100_000);
const storeKind = parseStoreKind(process.env['BENCH_STORE']);
const part = parsePart(process.env['BENCH_PART']);

function parsePart(text: string | undefined): 'all' | 'rehydrate' | 'memory' {
  if (text === undefined || text === '' || text === 'all') return 'all';
  if (text === 'rehydrate' || text === 'memory') return text;
  throw new Error(`BENCH_PART must be all, rehydrate or memory, got ${JSON.stringify(text)}`);
}

function parseStoreKind(text: string | undefined): StoreKind {
  if (text === undefined || text === '' || text === 'pglite-memory') return 'pglite-memory';
  if (text === 'pglite-disk') return text;
  throw new Error(`BENCH_STORE must be pglite-memory or pglite-disk, got ${JSON.stringify(text)}`);
}

const cases: readonly Case[] = [
  { entries: 1, snapshotEvery: null, actors: 200 },
  { entries: 10, snapshotEvery: null, actors: 200 },
  { entries: 100, snapshotEvery: null, actors: 200 },
  { entries: 1_000, snapshotEvery: null, actors: 50 },
  { entries: 5_000, snapshotEvery: null, actors: 10 },
  { entries: 100, snapshotEvery: 100, actors: 200 },
  { entries: 101, snapshotEvery: 100, actors: 200 },
  { entries: 110, snapshotEvery: 100, actors: 200 },
  { entries: 150, snapshotEvery: 100, actors: 200 },
  { entries: 199, snapshotEvery: 100, actors: 200 },
  { entries: 1_099, snapshotEvery: 100, actors: 50 },
  { entries: 5_000, snapshotEvery: 100, actors: 10 },
].map((each) => (quick ? { ...each, actors: Math.max(5, Math.round(each.actors / 10)) } : each));

let runtimeCount = 0;

function startRuntime(store: BenchStore, journal: SqlJournal, overrides: Partial<Limits>): { runtime: ActorRuntime; wallets: Wallets } {
  const hourMs = 3_600_000;
  runtimeCount += 1;
  const runtime = new ActorRuntime(
    {
      journal,
      snapshots: new SqlSnapshotStore(store.db),
      clock: new VirtualClock(),
      // Only the benchmark passivates, at the moments it measures.
      limits: { ...limits, passivateAfterMs: hourMs, passivationSweepMs: hourMs, ...overrides },
      logger: silentLogger,
    },
    `bench-rehydrate-${process.pid}-${runtimeCount}`,
  );
  return { runtime, wallets: runtime.register(walletDecider) };
}

async function deposit(wallets: Wallets, id: string, commandId: string): Promise<void> {
  const result = await wallets.ask(id, { type: 'Deposit', commandId, amountMinor: depositMinor });
  if (!result.ok) throw new Error(`deposit to ${id} failed: ${result.code}: ${result.message}`);
}

/** Wakes (or asks) one wallet and checks it holds every deposit it was given. */
async function inspectChecked(wallets: Wallets, id: string, entries: number): Promise<void> {
  const result = await wallets.inspect(id);
  if (!result.ok) throw new Error(`inspect ${id} failed: ${result.code}: ${result.message}`);
  if (result.seq !== entries) throw new Error(`${id} rehydrated to seq ${result.seq}, expected ${entries}`);
  if (result.state.balanceMinor !== entries * depositMinor) throw new Error(`${id} rehydrated with balance ${result.state.balanceMinor}`);
}

async function timeEach(ids: readonly string[], task: (id: string) => Promise<void>): Promise<number[]> {
  const samplesMs: number[] = [];
  for (const id of ids) {
    const startedAt = performance.now();
    await task(id);
    samplesMs.push(performance.now() - startedAt);
  }
  return samplesMs;
}

function passivateAll(runtime: ActorRuntime, expected: number): void {
  const passivated = runtime.passivateIdle(0);
  if (passivated !== expected) throw new Error(`passivated ${passivated} actors, expected ${expected}`);
}

interface Timings {
  readonly coldMs: Summary;
  readonly warmMs: Summary;
  readonly concurrentMsPerActor: number;
  readonly cpu: CpuUse | null;
}

/** Passivates the case's actors and wakes them: one at a time, again while resident, then all at once. */
async function measureWakes(runtime: ActorRuntime, wallets: Wallets, ids: readonly string[], entries: number): Promise<Timings> {
  passivateAll(runtime, ids.length);
  const cpuAtStart = sampleCpu();
  const coldMs = await timeEach(ids, (id) => inspectChecked(wallets, id, entries));
  const warmMs = await timeEach(ids, (id) => inspectChecked(wallets, id, entries));
  passivateAll(runtime, ids.length);
  const wokenAt = performance.now();
  await Promise.all(ids.map((id) => inspectChecked(wallets, id, entries)));
  const concurrentMsPerActor = (performance.now() - wokenAt) / ids.length;
  return {
    coldMs: roundSummary(summarize(coldMs)),
    warmMs: roundSummary(summarize(warmMs)),
    concurrentMsPerActor: round(concurrentMsPerActor),
    cpu: cpuBetween(cpuAtStart, sampleCpu()),
  };
}

async function runCase(
  run: Run,
  store: BenchStore,
  journal: SqlJournal,
  index: number,
  benchCase: Case,
  retriesMax = busyRetriesMax,
): Promise<CaseResult> {
  const { entries, snapshotEvery, actors } = benchCase;
  const { runtime, wallets } = startRuntime(store, journal, { snapshotEvery: snapshotEvery ?? Number.MAX_SAFE_INTEGER });
  try {
    const ids = Array.from({ length: actors }, (_, actor) => `case${index}-${actor}`);
    const builtAt = performance.now();
    // Each actor deposits sequentially (as a real wallet's commands arrive); actors run at once.
    await Promise.all(
      ids.map(async (id) => {
        for (let entry = 1; entry <= entries; entry += 1) await deposit(wallets, id, `d${entry}`);
      }),
    );
    const buildMs = Math.round(performance.now() - builtAt);
    const snapshotSeq = await checkSnapshots(store, ids, entries, snapshotEvery);
    const what = `case ${entries} entries, snapshot at ${snapshotSeq}`;
    // Waking writes nothing, so a disturbed measurement can simply be taken again.
    for (let attempt = 1; ; attempt += 1) {
      const timings = await measureWakes(runtime, wallets, ids, entries);
      const busy = contention(what, timings.cpu);
      if (busy === null || attempt > retriesMax) {
        if (busy !== null) run.warnings.push(busy);
        return { ...benchCase, snapshotSeq, tail: entries - snapshotSeq, buildMs, ...timings, attempts: attempt };
      }
      log(`  ${busy}; measuring it again`);
    }
  } finally {
    runtime.stop();
    await store.db.query('TRUNCATE journal, snapshots');
  }
}

/** The runtime must have snapshotted every actor where the case expects it; returns that seq. */
async function checkSnapshots(store: BenchStore, ids: readonly string[], entries: number, snapshotEvery: number | null): Promise<number> {
  const expected = snapshotEvery === null ? 0 : Math.floor(entries / snapshotEvery) * snapshotEvery;
  const snapshots = new SqlSnapshotStore(store.db);
  for (const id of ids) {
    const snapshot = await snapshots.load(walletKey(id));
    const seq = snapshot?.seq ?? 0;
    if (seq !== expected) throw new Error(`${walletKey(id)} has a snapshot at seq ${seq}, expected ${expected}`);
  }
  return expected;
}

function residentCount(runtime: ActorRuntime): number {
  return runtime.shardSizes().reduce((sum, size) => sum + size, 0);
}

async function runMemory(store: BenchStore, journal: SqlJournal): Promise<MemoryResult> {
  const actors = memoryActors;
  const { runtime, wallets } = startRuntime(store, journal, {});
  try {
    const idOf = (index: number) => `mem-${index}`;
    const empty = await readMemory();
    log(`  creating ${actors.toLocaleString('en-US')} wallets…`);
    const createdAt = performance.now();
    const createCpuAtStart = sampleCpu();
    await forEachConcurrently(actors, driveConcurrency, (index) => deposit(wallets, idOf(index), 'd1'));
    const createMs = performance.now() - createdAt;
    const createCpu = cpuBetween(createCpuAtStart, sampleCpu());
    if (residentCount(runtime) !== actors) throw new Error(`${residentCount(runtime)} actors resident, expected ${actors}`);
    const created = await readMemory();

    passivateAll(runtime, actors);
    const passivated = await readMemory();

    log(`  waking ${actors.toLocaleString('en-US')} wallets…`);
    const wokenAt = performance.now();
    const wakeCpuAtStart = sampleCpu();
    await forEachConcurrently(actors, driveConcurrency, (index) => inspectChecked(wallets, idOf(index), 1));
    const wakeMs = performance.now() - wokenAt;
    const wakeCpu = cpuBetween(wakeCpuAtStart, sampleCpu());
    if (residentCount(runtime) !== actors) throw new Error(`${residentCount(runtime)} actors resident, expected ${actors}`);
    const woken = await readMemory();

    passivateAll(runtime, actors);
    const passivatedAgain = await readMemory();
    return {
      actors,
      createMs: Math.round(createMs),
      createPerSec: Math.round((actors / createMs) * 1_000),
      wakeMs: Math.round(wakeMs),
      wakePerSec: Math.round((actors / wakeMs) * 1_000),
      createCpu,
      wakeCpu,
      readings: { empty, created, passivated, woken, passivatedAgain },
      perActorCreated: perItem(memoryDelta(empty, created), actors),
      perActorResident: perItem(memoryDelta(passivated, woken), actors),
      returnedOnPassivation: memoryDelta(passivated, created),
      returnedOnSecondPassivation: memoryDelta(passivatedAgain, woken),
    };
  } finally {
    runtime.stop();
  }
}

async function runCases(run: Run, store: BenchStore, journal: SqlJournal): Promise<CaseResult[]> {
  log('(a) rehydrate time');
  // Warms the JIT on every path a case takes (build, snapshot, passivate, wake); discarded.
  await runCase({ ...run, warnings: [] }, store, journal, -1, { entries: 150, snapshotEvery: 100, actors: quick ? 5 : 50 }, 0);
  const results: CaseResult[] = [];
  for (const [index, benchCase] of cases.entries()) {
    const result = await runCase(run, store, journal, index, benchCase);
    log(`  ${result.entries} entries, snapshot at ${result.snapshotSeq}: cold p50 ${result.coldMs.p50} ms (built in ${result.buildMs} ms)`);
    results.push(result);
  }
  printCases(results, storeKind);
  return results;
}

async function runMemoryPart(run: Run, store: BenchStore, journal: SqlJournal): Promise<MemoryResult> {
  log('(b) resident memory');
  const memory = await runMemory(store, journal);
  for (const [phase, cpu] of [['creating', memory.createCpu], ['waking', memory.wakeCpu]] as const) {
    const busy = contention(`${phase} ${memory.actors} wallets`, cpu);
    if (busy !== null) run.warnings.push(busy);
  }
  printMemory(memory);
  return memory;
}

async function main(): Promise<void> {
  const run = startRun('rehydrate');
  if (!gcExposed) {
    run.warnings.push('global.gc is missing (run with node --expose-gc --import tsx): memory numbers include uncollected garbage');
    log(`warning: ${run.warnings.at(-1)}`);
  }
  const store = await openBenchStore(storeKind);
  const journal = new SqlJournal(store.db, { batching: true, maxBatch: limits.journalMaxBatch, maxWaitMs: limits.journalMaxWaitMs });
  try {
    const rehydrate = part === 'memory' ? null : await runCases(run, store, journal);
    const memory = part === 'rehydrate' ? null : await runMemoryPart(run, store, journal);
    await finishRun(run, {
      part,
      store: { kind: store.kind, location: store.location },
      gcExposed,
      config: {
        wallet: `Deposit commands of ${depositMinor} cents; one Deposited event per entry`,
        rehydratePageSize: limits.rehydratePageSize,
        driveConcurrency,
        cold: 'inspect right after passivateIdle(0), one actor at a time: spawn + snapshot load + journal tail + evolve + reply',
        warm: 'the same inspect while the actor is resident',
        concurrent: 'every actor of the case woken at once after passivateIdle(0): wall time ÷ actors',
      },
      rehydrate,
      memory,
    });
  } finally {
    await journal.close();
    await store.close();
  }
}

await main();
