/**
 * Where a checkout's CPU goes: `npm run bench:checkout:profile` (BENCH_QUICK=1 for a smoke run).
 *
 * Runs one cell of the checkout benchmark (bench/checkout.bench.ts; mixed carts, 8 clients by
 * default) against the actors on PostgreSQL (DATABASE_URL, a fresh database dropped afterwards)
 * or embedded (PGlite in its worker thread, without DATABASE_URL), with the V8 sampling profiler
 * on the main thread (node:inspector), and writes bench/results/checkout-profile.json: the main
 * thread's self time by area of the code (lib/profile-summary.ts) and its top functions. The
 * database's own CPU (PGlite's worker, or PostgreSQL's backends) is beside it in the cell's CPU
 * split, as in the checkout benchmark. Knobs: BENCH_CELL_MS, BENCH_CLIENTS, BENCH_SCENARIO
 * (mixed | hot-seller).
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

const cellMs = integerFromEnv('BENCH_CELL_MS', quick ? 1_500 : 8_000);
const clients = integerFromEnv('BENCH_CLIENTS', 8);
const scenarioName = (process.env['BENCH_SCENARIO'] ?? 'mixed') as ScenarioName;
if (!(scenarioName in scenarios)) throw new Error(`BENCH_SCENARIO must be one of ${Object.keys(scenarios).join(', ')}`);
const databaseUrl = process.env['DATABASE_URL'] || undefined;

async function profileCell(env: Record<string, string>, target: 'actors-postgres' | 'actors-pglite') {
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
    await session.post('Profiler.start');
    log(`${target}: profiling ${scenarioName} ×${clients} for ${cellMs} ms`);
    const result = await runClosedLoop({ concurrency: clients, durationMs: cellMs, ...send('profiled') });
    const { profile } = await session.post('Profiler.stop');
    const cpuSplit = splitBetween(threadsAtStart, await sampleThreads(probe));
    const entries = actors.system.runtime.log.stats().entries - entriesAtStart;
    session.disconnect();
    await settleActors(actors.system);
    const summary = summariseProfile(profile as CpuProfile, result.orders);
    log(`${target}: ${result.ordersPerSec} orders/s; main thread ${summary.busyMs} ms busy, ${summary.busyUsPerOrder} µs per order`);
    for (const area of summary.areas.slice(0, 8)) log(`  ${area.sharePercent.toString().padStart(5)}%  ${area.area}`);
    return { target, scenario: scenarioName, concurrency: clients, ordersPerSec: result.ordersPerSec, latencyMs: result.latencyMs, entriesPerOrder: Math.round((entries / Math.max(1, result.orders)) * 10) / 10, cpuSplit, mainThread: summary };
  } finally {
    await monitor?.close();
    await actors.close();
  }
}

async function main(): Promise<void> {
  const run = startRun('checkout-profile');
  const cells = [];
  cells.push(await profileCell({}, 'actors-pglite'));
  if (databaseUrl !== undefined) {
    const database = await createFreshDatabase(databaseUrl, `bench_profile_${process.pid}`);
    const forgetCleanUp = onInterrupt(() => database.drop());
    try {
      cells.push(await profileCell({ DATABASE_URL: database.url }, 'actors-postgres'));
    } finally {
      forgetCleanUp();
      await database.drop();
    }
  }
  await finishRun(run, {
    method: 'V8 sampling profiler (node:inspector, 200 µs) on the main thread during one closed-loop cell after a warm-up; self time grouped by where the code lives (bench/lib/profile-summary.ts)',
    cells,
  });
}

await main();
