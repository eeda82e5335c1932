/**
 * Runs benchmarks by name, each in its own child process (a fresh heap, JIT and PGlite each, and
 * node flags of its own), one after the other so they never share the machine's two cores:
 *
 *   npx tsx bench/run.ts all                  (npm run bench)
 *   npx tsx bench/run.ts checkout journal     (any of the names below)
 *   npx tsx bench/run.ts load-browse load-checkout load-live     (npm run bench:load)
 *
 * The children inherit the environment (DATABASE_URL, BENCH_QUICK=1, BENCH_CELL_MS, …) and the
 * terminal, so each prints its own tables as it goes. Afterwards this prints a summary read from
 * the result files they wrote (bench/results/<name>.json, each with machine, commit and load).
 *
 * Exit status 1 when a benchmark fails: its process exits non-zero or is killed, it writes no
 * fresh result file, or its result says `ok: false` (checkout and load-*: an unclean ledger audit;
 * load-*: also a failed correctness check or a lost notification).
 * BENCH_TIMEOUT_MS (30 minutes) bounds each child; past it the child is stopped and counts as failed.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { integerFromEnv } from './lib/options.ts';
import { formatNumber, printTable } from './lib/table.ts';

interface Benchmark {
  readonly script: string;
  /** Node flags before `--import tsx`. */
  readonly nodeFlags: readonly string[];
  /** Arguments after the script (the load coordinator takes its scenario's name). */
  readonly args?: readonly string[];
  /** Headline lines from the result file; defensive, since the file's shape is the benchmark's own. */
  readonly headlines: (result: Fields) => string[];
}

type Fields = Readonly<Record<string, unknown>>;

const benchmarks: Readonly<Record<string, Benchmark>> = {
  journal: { script: 'bench/journal.bench.ts', nodeFlags: [], headlines: journalHeadlines },
  // --expose-gc lets its memory part collect garbage before each reading.
  rehydrate: { script: 'bench/rehydrate.bench.ts', nodeFlags: ['--expose-gc'], headlines: rehydrateHeadlines },
  checkout: { script: 'bench/checkout.bench.ts', nodeFlags: [], headlines: checkoutHeadlines },
  storm: { script: 'bench/storm.bench.ts', nodeFlags: [], headlines: stormHeadlines },
  // One, two and three gateway processes in cluster mode on a fresh database (issue #16).
  cluster: { script: 'bench/cluster.bench.ts', nodeFlags: [], headlines: clusterHeadlines },
  http: { script: 'bench/http.bench.ts', nodeFlags: [], headlines: httpHeadlines },
  fanout: { script: 'bench/fanout.bench.ts', nodeFlags: [], headlines: genericHeadlines },
  search: { script: 'bench/search.bench.ts', nodeFlags: ['--expose-gc'], headlines: searchHeadlines },
  storefront: { script: 'bench/storefront.bench.ts', nodeFlags: [], headlines: genericHeadlines },
  // Open-model load against the real server (bench/load/): each writes load-<name>.json and .svg.
  'load-browse': { script: 'bench/load/coordinator.ts', nodeFlags: [], args: ['browse'], headlines: loadHeadlines },
  'load-checkout': { script: 'bench/load/coordinator.ts', nodeFlags: [], args: ['checkout'], headlines: loadHeadlines },
  'load-live': { script: 'bench/load/coordinator.ts', nodeFlags: [], args: ['live'], headlines: loadHeadlines },
};

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const childTimeoutMs = integerFromEnv('BENCH_TIMEOUT_MS', 30 * 60_000);
/** After SIGTERM, how long a child gets to close its stores (drop its database) before SIGKILL. */
const killGraceMs = 15_000;

interface Outcome {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly problem: string | null;
  readonly headlines: readonly string[];
}

let current: ReturnType<typeof spawn> | null = null;

function runChild(benchmark: Benchmark): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, commandLine(benchmark), {
      cwd: repoRoot,
      env: process.env,
      stdio: 'inherit',
    });
    current = child;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), killGraceMs).unref();
    }, childTimeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = null;
      resolve({ code, signal, timedOut });
    });
  });
}

function commandLine(benchmark: Benchmark): string[] {
  return [...benchmark.nodeFlags, '--import', 'tsx', benchmark.script, ...(benchmark.args ?? [])];
}

async function readResult(name: string, startedAt: Date): Promise<Fields | string> {
  const file = new URL(`results/${name}.json`, import.meta.url);
  let result: unknown;
  try {
    result = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return `no readable result file (${(error as Error).message})`;
  }
  if (!isFields(result)) return 'the result file is not a JSON object';
  const date = typeof result['date'] === 'string' ? Date.parse(result['date']) : Number.NaN;
  // The file's date is when the child started its run, so it is never before the child was spawned.
  if (!(date >= startedAt.getTime() - 1_000)) return `the result file is from an earlier run (${String(result['date'])})`;
  return result;
}

async function runBenchmark(name: string, benchmark: Benchmark): Promise<Outcome> {
  process.stdout.write(`\n=== ${name}: node ${commandLine(benchmark).join(' ')}\n`);
  const startedAt = new Date();
  const exit = await runChild(benchmark);
  const seconds = Math.round((Date.now() - startedAt.getTime()) / 1_000);
  const result = await readResult(name, startedAt);
  const headlines = typeof result === 'string' ? [] : safeHeadlines(benchmark, result);
  let problem: string | null = null;
  if (exit.timedOut) problem = `stopped after ${childTimeoutMs} ms (BENCH_TIMEOUT_MS)`;
  else if (exit.signal !== null) problem = `killed by ${exit.signal}`;
  else if (exit.code !== 0) problem = `exited with status ${exit.code}`;
  if (problem === null && typeof result === 'string') problem = result;
  if (problem === null && typeof result !== 'string' && result['ok'] === false) problem = 'its result says ok: false';
  return { name, ok: problem === null, seconds, problem, headlines };
}

function safeHeadlines(benchmark: Benchmark, result: Fields): string[] {
  try {
    return benchmark.headlines(result);
  } catch (error) {
    return [`(no headline: ${(error as Error).message})`];
  }
}

function httpHeadlines(result: Fields): string[] {
  const results = (result['results'] ?? {}) as Fields;
  return Object.entries(results).map(([server, load]) => `${server}: ${show(at(load as Fields, 'rps'))} req/s, p99 ${show(at(load as Fields, 'p99Ms'))} ms`);
}

function searchHeadlines(result: Fields): string[] {
  return [`${show(result['products'])} products: build ${show(result['buildMs'])} ms, p50 ${show(at(result, 'latencyMs', 'p50'))} ms, p95 ${show(at(result, 'latencyMs', 'p95'))} ms`];
}

function loadHeadlines(result: Fields): string[] {
  const unit = show(at(result, 'plan', 'unit'));
  const steps = records(result['steps']).map((step) => {
    const notifications = at(step, 'notifications');
    const live = isFields(notifications) ? `, notification p99 ${show(at(notifications, 'latencyMs', 'p99'))} ms, ${show(notifications['late'])} late` : '';
    return (
      `${show(step['offeredPerSec'])} ${unit}/s offered: ${show(step['achievedPerSec'])}/s achieved, p50 ${show(at(step, 'latencyMs', 'p50'))} ms, ` +
      `p99 ${show(at(step, 'latencyMs', 'p99'))} ms, ${show(step['errors'])} errors, ${show(step['dropped'])} dropped${live}`
    );
  });
  const lost = result['notificationsLostAtEnd'] === undefined ? '' : `, ${show(result['notificationsLostAtEnd'])} notifications lost`;
  return [...steps, `ledger audit ${at(result, 'audit', 'ok') === true ? 'clean' : 'NOT CLEAN'}${lost}`];
}

/** For result files whose shape has no dedicated summary: the top-level scalar fields. */
function genericHeadlines(result: Fields): string[] {
  return [Object.entries(result).filter(([, value]) => typeof value !== 'object').map(([name, value]) => `${name}=${show(value)}`).join(', ')];
}

// ---------------------------------------------------------------------------------------------
// Headlines

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Fields[] {
  return Array.isArray(value) ? value.filter(isFields) : [];
}

function at(value: unknown, ...path: string[]): unknown {
  let here = value;
  for (const key of path) here = isFields(here) ? here[key] : undefined;
  return here;
}

function show(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : value === undefined || value === null ? '—' : String(value);
}

function journalHeadlines(result: Fields): string[] {
  const cells = records(result['cells']).filter((cell) => cell['mode'] === 'on' && cell['actors'] === 1_000);
  return cells.map(
    (cell) =>
      `${show(cell['store'])}: ${show(cell['appendsPerSec'])} appends/s with 1,000 actors, group commit ×${show(at(result, 'speedUpAt1000Actors', String(cell['store'])))} over OFF`,
  );
}

function rehydrateHeadlines(result: Fields): string[] {
  const lines = records(result['rehydrate'])
    .filter((each) => each['snapshotEvery'] === null && (each['entries'] === 1 || each['entries'] === 1_000))
    .map((each) => `cold rehydrate, ${show(each['entries'])} entries, no snapshot: p50 ${show(at(each, 'coldMs', 'p50'))} ms, p99 ${show(at(each, 'coldMs', 'p99'))} ms`);
  const heap = at(result, 'memory', 'perActorResident', 'heapUsedBytes');
  if (heap !== undefined) lines.push(`resident idle wallet: ${show(heap)} heap bytes per actor`);
  return lines;
}

function checkoutHeadlines(result: Fields): string[] {
  const cells = records(result['cells']).map(
    (cell) =>
      `${show(cell['target'])} ${show(cell['scenario'])} ×${show(cell['concurrency'])}: ${show(cell['ordersPerSec'])} orders/s, ` +
      `p50 ${show(at(cell, 'latencyMs', 'p50'))} ms, p99 ${show(at(cell, 'latencyMs', 'p99'))} ms, audit ${at(cell, 'audit', 'ok') === true ? 'clean' : 'NOT CLEAN'}, ` +
      `${show(at(cell, 'sql', 'statementsPerOrder'))} statements/order, database share ${show(at(cell, 'cpuSplit', 'databaseShare'))}`,
  );
  const ratios = records(result['ratios'])
    .filter((ratio) => ratio['actors'] === 'actors-postgres')
    .map((ratio) => `actors-postgres ÷ sql-baseline, ${show(ratio['scenario'])} ×${show(ratio['concurrency'])}: orders/s ×${show(ratio['ordersPerSec'])}, p50 ×${show(ratio['p50'])}, p99 ×${show(ratio['p99'])}, orders per CPU-second ×${show(ratio['ordersPerCoreSecond'])}`);
  return [...cells, ...ratios];
}

function stormHeadlines(result: Fields): string[] {
  const summary = at(result, 'summary');
  if (summary === undefined) return [];
  return [
    `${show(at(result, 'summary', 'requests'))} checkouts at once, ${show(at(result, 'summary', 'created'))} created (affordable ${show(at(result, 'summary', 'affordable'))}), ` +
      `${show(at(result, 'summary', 'refusedInsufficientFunds'))} refused, ${show(at(result, 'summary', 'finalOnFirstTry'))} final on the first try, ` +
      `${show(at(result, 'summary', 'durationMs'))} ms in all, audit ${at(result, 'audit', 'ok') === true ? 'clean' : 'NOT CLEAN'}`,
  ];
}

function clusterHeadlines(result: Fields): string[] {
  return records(result['sizes']).map((size) => {
    const sequential = records(size['latency']).find((phase) => phase['concurrency'] === 1);
    const spread = records(size['throughput']).find((phase) => phase['routing'] === 'spread');
    const forwarded = at(sequential, 'forwarded') === null ? '' : `, forwarded p50 ${show(at(sequential, 'forwarded', 'p50'))} ms`;
    const move = (name: string) => (isFields(size[name]) ? `, ${name} ${show(at(size, name, 'firstSuccessMs', 'max'))} ms` : '');
    return (
      `${show(size['nodes'])} node(s): local p50 ${show(at(sequential, 'local', 'p50'))} ms${forwarded}, ${show(at(spread, 'depositsPerSecond'))} deposits/s` +
      `${move('handoff')}${move('failover')}, ${show(size['fencedBatches'])} fenced batches`
    );
  });
}

// ---------------------------------------------------------------------------------------------

function parseNames(args: readonly string[]): string[] | null {
  if (args.length === 0) return null;
  const names = args.includes('all') ? Object.keys(benchmarks) : [...new Set(args)];
  return names.every((name) => Object.hasOwn(benchmarks, name)) ? names : null;
}

function forwardSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // The child gets the signal to close its stores (the checkout benchmark drops its database);
      // a terminal's Ctrl-C already reached it through the process group, a second one does no harm.
      current?.kill(signal);
      process.exitCode = 130;
    });
  }
}

async function main(): Promise<void> {
  const names = parseNames(process.argv.slice(2));
  if (names === null) {
    process.stderr.write(`usage: tsx bench/run.ts all | ${Object.keys(benchmarks).join(' | ')} [more names]\n`);
    process.exitCode = 2;
    return;
  }
  forwardSignals();
  const outcomes: Outcome[] = [];
  for (const name of names) {
    const benchmark = benchmarks[name];
    if (benchmark === undefined) continue;
    outcomes.push(await runBenchmark(name, benchmark));
    if (process.exitCode === 130) break;
  }
  printTable(
    'Benchmark summary',
    ['benchmark', 'status', 'seconds', 'result'],
    outcomes.map((outcome) => [outcome.name, outcome.ok ? 'ok' : `FAILED: ${outcome.problem}`, outcome.seconds, `bench/results/${outcome.name}.json`]),
  );
  for (const outcome of outcomes) {
    if (outcome.headlines.length === 0) continue;
    process.stdout.write(`\n${outcome.name}\n${outcome.headlines.map((line) => `  ${line}`).join('\n')}\n`);
  }
  if (outcomes.some((outcome) => !outcome.ok)) {
    process.stderr.write(`\nfailed: ${outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.name).join(', ')}\n`);
    process.exitCode = 1;
  }
}

await main();
