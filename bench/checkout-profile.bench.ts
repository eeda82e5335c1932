/**
 * Where a checkout's CPU goes: `npm run bench:checkout:profile` (BENCH_QUICK=1 for a smoke run).
 *
 * Runs the cells of the checkout benchmark (bench/checkout.bench.ts: mixed ×8, mixed ×64,
 * hot-seller ×64) against the actors embedded (PGlite in its worker thread) and, with
 * DATABASE_URL, on PostgreSQL (a fresh database dropped afterwards), with the V8 sampling profiler
 * on the main thread (node:inspector), and writes bench/results/checkout-profile.json: the main
 * thread's self time by area of the code (lib/profile-summary.ts) and its top functions. The
 * database's own CPU (PGlite's worker, or PostgreSQL's backends) is beside it in the cell's CPU
 * split, as in the checkout benchmark; on PostgreSQL its time by statement too, when the server
 * has pg_stat_statements loaded (lib/pg-statements.ts says how, and why it may not be). Knobs:
 * BENCH_CELL_MS, BENCH_CELLS (e.g. `hot-seller:64`).
 */
import { Session } from 'node:inspector/promises';
import { openPostgres } from '../persistence/adapters/pg.ts';
import { createFreshDatabase } from '../persistence/adapters/testing/fresh-database.ts';
import { runClosedLoop } from './lib/closed-loop.ts';
import { buildCatalog, cartGenerator, cartSeed, scenarios, type ScenarioName } from './lib/checkout-workload.ts';
import { seedActors, sendToActors, settleActors, startActors } from './lib/checkout-actors.ts';
import { sampleThreads, splitBetween } from './lib/thread-cpu.ts';
import { integerFromEnv, log, quick } from './lib/options.ts';
import { finishRun, startRun } from './lib/run.ts';
import { summariseProfile, type CpuProfile } from './lib/profile-summary.ts';
import { onInterrupt } from './lib/interrupts.ts';
import { readStatementTimes, startStatementTimes } from './lib/pg-statements.ts';

const cellMs = integerFromEnv('BENCH_CELL_MS', quick ? 1_500 : 8_000);
const cellPlans = (process.env['BENCH_CELLS'] ?? 'mixed:8,mixed:64,hot-seller:64').split(',').map((text) => {
  const [scenario = '', clients = ''] = text.split(':');
  if (!(scenario in scenarios) || !/^[1-9][0-9]*$/.test(clients)) throw new Error(`BENCH_CELLS: ${text} is not <${Object.keys(scenarios).join('|')}>:<clients>`);
  return { scenarioName: scenario as ScenarioName, clients: Number(clients) };
});
const databaseUrl = process.env['DATABASE_URL'] || undefined;

async function profileCell(env: Record<string, string>, target: 'actors-postgres' | 'actors-pglite', scenarioName: ScenarioName, clients: number) {
  const actors = await startActors(target, env);
  const url = env['DATABASE_URL'];
  const monitor = url === undefined ? null : await openPostgres(url);
  try {
    const catalog = buildCatalog({ sellers: 16, productsPerSeller: 8, buyers: quick ? 100 : 400 });
    await seedActors(actors.system, catalog);
    const send = (prefix: string) => {
      const nextCart = cartGenerator(catalog, scenarios[scenarioName], cartSeed(scenarioName, clients, prefix));
      return { nextCart, send: (cart: Parameters<typeof sendToActors>[2], index: number) => sendToActors(actors.system, `${prefix}-${index}`, cart) };
    };
    log(`${target}: warming up`);
    await runClosedLoop({ concurrency: 16, durationMs: quick ? 500 : 3_000, ...send('warm') });
    await settleActors(actors.system);
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    const backendPids = monitor === null ? null : async () => {
      const rows = await monitor.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      return rows.map((row) => row.pid);
    };
    const probe = { thread: actors.system.stores.sql.thread, backendPids };
    const threadsAtStart = await sampleThreads(probe);
    const entriesAtStart = actors.system.runtime.log.stats().entries;
    const statementsUnavailable = monitor === null ? null : await startStatementTimes(monitor);
    await session.post('Profiler.start');
    log(`${target}: profiling ${scenarioName} ×${clients} for ${cellMs} ms`);
    const result = await runClosedLoop({ concurrency: clients, durationMs: cellMs, ...send('profiled') });
    const { profile } = await session.post('Profiler.stop');
    const cpuSplit = splitBetween(threadsAtStart, await sampleThreads(probe));
    const entries = actors.system.runtime.log.stats().entries - entriesAtStart;
    const databaseStatements = monitor === null ? undefined : await readStatementTimes(monitor, statementsUnavailable, result.orders);
    session.disconnect();
    await settleActors(actors.system);
    const summary = summariseProfile(profile as CpuProfile, result.orders);
    log(`${target}: ${result.ordersPerSec} orders/s; main thread ${summary.busyMs} ms busy, ${summary.busyUsPerOrder} µs per order`);
    for (const area of summary.areas.slice(0, 8)) log(`  ${area.sharePercent.toString().padStart(5)}%  ${area.area}`);
    if (databaseStatements?.available === true) {
      for (const statement of databaseStatements.top.slice(0, 6)) log(`  PostgreSQL ${statement.sharePercent.toString().padStart(5)}%  ${statement.meanMs} ms × ${statement.calls}  ${statement.query.slice(0, 70)}`);
    } else if (databaseStatements !== undefined) {
      log(`  PostgreSQL statements: ${databaseStatements.reason}`);
    }
    return { target, scenario: scenarioName, concurrency: clients, ordersPerSec: result.ordersPerSec, latencyMs: result.latencyMs, entriesPerOrder: Math.round((entries / Math.max(1, result.orders)) * 10) / 10, cpuSplit, mainThread: summary, databaseStatements };
  } finally {
    await monitor?.close();
    await actors.close();
  }
}

async function main(): Promise<void> {
  const run = startRun('checkout-profile');
  const cells = [];
  for (const { scenarioName, clients } of cellPlans) {
    cells.push(await profileCell({}, 'actors-pglite', scenarioName, clients));
    if (databaseUrl === undefined) continue;
    const database = await createFreshDatabase(databaseUrl, `bench_profile_${process.pid}`);
    const forgetCleanUp = onInterrupt(() => database.drop());
    try {
      cells.push(await profileCell({ DATABASE_URL: database.url }, 'actors-postgres', scenarioName, clients));
    } finally {
      forgetCleanUp();
      await database.drop();
    }
  }
  await finishRun(run, {
    method: 'V8 sampling profiler (node:inspector, 200 µs) on the main thread during each closed-loop cell, on a fresh system after a warm-up; self time grouped by where the code lives (bench/lib/profile-summary.ts). The database thread or backends are not profiled: their cores are in cpuSplit; PostgreSQL cells add its statement times from pg_stat_statements when the server has it loaded (databaseStatements, wall time inside the server)',
    cells,
  });
}

await main();
