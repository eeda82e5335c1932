/**
 * Checkout benchmark: `npx tsx bench/checkout.bench.ts` (BENCH_QUICK=1 for a smoke run).
 *
 * Drives checkouts through the real Bazaary system (startSystem: nact actors, checkout and order
 * sagas, group-committed journal, event processor with the read models, durable timers, the
 * system clock) and, for comparison, through the conventional design in
 * bench/baseline/sql-checkout.ts (one SQL transaction per checkout).
 *
 * Targets:
 * - actors-pglite: the embedded mode, DATA_DIR in a temporary folder (PGlite on disk).
 * - actors-postgres: DATABASE_URL's server. startSystem's stores take no schema, so the benchmark
 *   creates a fresh database `bench_checkout_<pid>_<random>` on that server (CREATE DATABASE
 *   through the URL's own database), points the system at it, and drops it afterwards with
 *   `DROP DATABASE … WITH (FORCE)`, also when the run fails.
 * - sql-baseline: the same database, in its own schema `sql_checkout`, the same 10 pooled
 *   connections as the system's pool (persistence/adapters/pg.ts), the same carts.
 * Without DATABASE_URL the last two are skipped, with the reason recorded.
 *
 * Workload (bench/lib/checkout-workload.ts): 16 sellers × 8 products, 400 buyers with funded
 * wallets, closed loop with C clients; carts are seeded, so every target gets the same carts in
 * the same order. Cells: `mixed` (sellers uniform, 20% two-seller carts) at 8 and 64 clients, and
 * `hot-seller` (80% of carts include seller01) at 64 clients. Each cell runs BENCH_CELL_MS
 * (10 s), then lets in-flight checkouts finish. Latency is start → every order PAID: the
 * actors' `checkout()` resolving (which also waits for the checkout's confirmation to each order,
 * gateway/app/commerce.ts), the baseline's COMMIT. On PostgreSQL the actor and baseline
 * cells alternate, so a change in the machine's load hits both alike.
 *
 * After every cell the sagas are let finish (their tail work after PAID: notifying the checkout,
 * seller stats, timers) and the projections catch up; that time is reported as `settleMs` and is
 * not in the cell's time. Then the ledger is audited: `auditLedger(journal)` for the actors (plus
 * every acknowledged order present and the sellers' stock equal to initial − units acknowledged),
 * and the baseline's own invariant (Σ balance + locked = Σ deposits, …). Any unclean audit makes
 * the run exit 1 after writing bench/results/checkout.json.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../persistence/adapters/db.ts';
import { openPostgres } from '../persistence/adapters/pg.ts';
import { createFreshDatabase } from '../persistence/adapters/testing/fresh-database.ts';
import { baselinePoolSize, openSqlCheckout, type SqlCheckout } from './baseline/sql-checkout.ts';
import { defaultPools } from '../persistence/adapters/db-pools.ts';
import { runClosedLoop, type CheckoutOutcome, type LoopResult } from './lib/closed-loop.ts';
import { buildCatalog, cartGenerator, cartSeed, scenarios, type Cart, type Catalog } from './lib/checkout-workload.ts';
import { cpuBetween, sampleCpu, type CpuUse } from './lib/cpu.ts';
import { printCost } from './lib/checkout-cost-report.ts';
import { loadAverage } from './lib/machine.ts';
import { sampleThreads, splitBetween, type CpuSplit, type DatabaseProbe } from './lib/thread-cpu.ts';
import type { SqlCounts } from '../persistence/adapters/counting-db.ts';
import { integerFromEnv, log, quick } from './lib/options.ts';
import { contention, finishRun, startRun, type Run } from './lib/run.ts';
import { round } from './lib/stats.ts';
import { auditActors, checkoutTimeoutMs, seedActors, sendToActors, settleActors, startActors, type ActorTarget } from './lib/checkout-actors.ts';
import { Acknowledged, cellPlans, type AuditRecord, type CellPlan, type CellRecord, type Target } from './lib/checkout-records.ts';
import { printResults, ratios } from './lib/checkout-report.ts';
import { onInterrupt } from './lib/interrupts.ts';

const cellMs = integerFromEnv('BENCH_CELL_MS', quick ? 1_500 : 10_000);
const warmUpMs = quick ? 500 : 3_000;
const warmUpConcurrency = 16;
const catalogSize = { sellers: 16, productsPerSeller: 8, buyers: quick ? 100 : 400 };
const databaseUrl = process.env['DATABASE_URL'] || undefined;


// ---------------------------------------------------------------------------------------------
// Cells

interface Measured {
  readonly result: LoopResult;
  readonly cpu: CpuUse | null;
  readonly cpuSplit: CpuSplit | null;
  readonly sql: SqlCounts;
  readonly loadAverageAtStart: readonly number[];
}

/** What a target's database costs: its SQL counters and where its CPU is read. */
interface Meter {
  readonly counts: () => SqlCounts;
  readonly probe: DatabaseProbe;
}

async function measure(
  target: Target,
  plan: CellPlan,
  catalog: Catalog,
  durationMs: number,
  send: (checkoutId: string, cart: Cart) => Promise<CheckoutOutcome>,
  acknowledged: Acknowledged,
  purpose: string,
  meter: Meter,
): Promise<Measured> {
  const nextCart = cartGenerator(catalog, scenarios[plan.scenario], cartSeed(plan.scenario, plan.concurrency, purpose));
  const prefix = `${purpose}-${plan.scenario}-c${plan.concurrency}`;
  const loadAverageAtStart = loadAverage();
  const threadsAtStart = await sampleThreads(meter.probe);
  const sqlAtStart = meter.counts();
  const cpuAtStart = sampleCpu();
  const result = await runClosedLoop({
    concurrency: plan.concurrency,
    durationMs,
    nextCart,
    send: (cart, index) => send(`${prefix}-${index}`, cart),
    onSuccess: (cart) => acknowledged.sold.add(cart),
  });
  const cpu = cpuBetween(cpuAtStart, sampleCpu());
  const sqlAtEnd = meter.counts();
  const cpuSplit = splitBetween(threadsAtStart, await sampleThreads(meter.probe));
  const sql = { statements: sqlAtEnd.statements - sqlAtStart.statements, transactions: sqlAtEnd.transactions - sqlAtStart.transactions };
  acknowledged.count(result);
  log(
    `  ${target} ${purpose} ${plan.scenario} ×${plan.concurrency}: ${result.ordersPerSec} orders/s, ` +
      `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms${describeFailures(result)}`,
  );
  return { result, cpu, cpuSplit, sql, loadAverageAtStart };
}

function sqlPerOrder(sql: SqlCounts, orders: number): CellRecord['sql'] {
  const per = (count: number) => round(orders === 0 ? 0 : count / orders);
  return { statements: sql.statements, statementsPerOrder: per(sql.statements), transactionsPerOrder: per(sql.transactions) };
}

function describeFailures(result: LoopResult): string {
  const entries = Object.entries(result.failures);
  return entries.length === 0 ? '' : `, failed: ${entries.map(([code, count]) => `${code} ×${count}`).join(', ')}`;
}

/** An actor target with its meter: the stores' SQL counters and PGlite's thread or the backends. */
type MeteredActors = ActorTarget & { readonly meter: Meter };
type BaselineTarget = SqlCheckout & { readonly meter: Meter };

function actorMeter(actors: ActorTarget, backendPids: DatabaseProbe['backendPids']): MeteredActors {
  const sql = actors.system.stores.sql;
  return Object.assign(actors, { meter: { counts: () => sql.counts(), probe: { thread: sql.thread, backendPids } } });
}

/** The backends connected to this run's database, the monitor's own connection left out. */
function backendsOf(monitor: Db): () => Promise<readonly number[]> {
  return async () => {
    const rows = await monitor.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return rows.map((row) => row.pid);
  };
}

async function actorCell(run: Run, actors: MeteredActors, plan: CellPlan, catalog: Catalog): Promise<CellRecord> {
  // The commit log's counts (runtime/commit-log.ts): entries and guards per batch, one batch per commit.
  const journalBefore = actors.system.runtime.log.stats();
  const { result, cpu, cpuSplit, sql, loadAverageAtStart } = await measure(
    actors.target, plan, catalog, cellMs, (id, cart) => sendToActors(actors.system, id, cart), actors.acknowledged, 'cell', actors.meter,
  );
  const journalAfter = actors.system.runtime.log.stats();
  const settleMs = await settleActors(actors.system);
  const audit = await auditActors(actors, catalog);
  const entries = journalAfter.entries - journalBefore.entries;
  const batches = journalAfter.batches - journalBefore.batches;
  noteCell(run, actors.target, plan, result, cpu, audit);
  return {
    ...result,
    target: actors.target,
    scenario: plan.scenario,
    settleMs,
    journal: { entries, entriesPerOrder: round(result.orders === 0 ? 0 : entries / result.orders), meanBatch: round(batches === 0 ? 0 : entries / batches) },
    cpu,
    sql: sqlPerOrder(sql, result.orders),
    cpuSplit,
    loadAverageAtStart,
    ordersPerCoreSecond: perCoreSecond(result, cpu),
    audit,
  };
}

async function baselineCell(run: Run, baseline: BaselineTarget, acknowledged: Acknowledged, plan: CellPlan, catalog: Catalog): Promise<CellRecord> {
  const { result, cpu, cpuSplit, sql, loadAverageAtStart } = await measure(
    'sql-baseline', plan, catalog, cellMs, (id, cart) => baseline.checkout(id, cart), acknowledged, 'cell', baseline.meter,
  );
  const audit = await baseline.audit({ orders: acknowledged.orders, sold: acknowledged.sold, catalog });
  const record: AuditRecord = {
    ok: audit.ok,
    driftMinor: audit.driftMinor,
    orders: audit.orders,
    ordersAcknowledged: acknowledged.orders,
    wallets: audit.wallets,
    inFlightMinor: null,
    problems: audit.problems,
  };
  noteCell(run, 'sql-baseline', plan, result, cpu, record);
  return {
    ...result, target: 'sql-baseline', scenario: plan.scenario, settleMs: null, journal: null, cpu,
    sql: sqlPerOrder(sql, result.orders), cpuSplit, loadAverageAtStart, ordersPerCoreSecond: perCoreSecond(result, cpu), audit: record,
  };
}

function perCoreSecond(result: LoopResult, cpu: CpuUse | null): number | null {
  if (cpu === null) return null;
  const cores = cpu.ownCores + cpu.postgresCores;
  return cores <= 0 ? null : Math.round(result.ordersPerSec / cores);
}

function noteCell(run: Run, target: Target, plan: CellPlan, result: LoopResult, cpu: CpuUse | null, audit: AuditRecord): void {
  const what = `${target} ${plan.scenario} ×${plan.concurrency}`;
  const busy = contention(what, cpu, target !== 'actors-pglite');
  if (busy !== null) run.warnings.push(busy);
  if (Object.keys(result.failures).length > 0) run.warnings.push(`${what}: some checkouts did not succeed${describeFailures(result)}`);
  if (audit.ok) {
    log(`  ${what}: audit clean (drift ${audit.driftMinor}, ${audit.orders} orders)`);
  } else {
    log(`  ${what}: AUDIT NOT CLEAN: ${audit.problems.join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets

interface StoreRecord {
  readonly target: Target;
  readonly location: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly openMs: number;
  readonly seedMs: number;
}

async function timed<T>(task: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const startedAt = performance.now();
  const value = await task();
  return { value, ms: Math.round(performance.now() - startedAt) };
}

async function benchPglite(run: Run, catalog: Catalog): Promise<{ store: StoreRecord; cells: CellRecord[] }> {
  log('actors-pglite: starting the embedded system…');
  const opened = await timed(() => startActors('actors-pglite', {}));
  const actors = actorMeter(opened.value, null);
  try {
    const seeded = await timed(() => seedActors(actors.system, catalog));
    await warmUpActors(actors, catalog);
    const cells: CellRecord[] = [];
    for (const plan of cellPlans) cells.push(await actorCell(run, actors, plan, catalog));
    const store = { target: actors.target, location: 'PGlite on disk in a temporary DATA_DIR, in a worker thread', settings: {}, openMs: opened.ms, seedMs: seeded.ms };
    return { store, cells };
  } finally {
    await actors.close();
  }
}

async function warmUpActors(actors: MeteredActors, catalog: Catalog): Promise<void> {
  const plan: CellPlan = { scenario: 'mixed', concurrency: warmUpConcurrency };
  await measure(actors.target, plan, catalog, warmUpMs, (id, cart) => sendToActors(actors.system, id, cart), actors.acknowledged, 'warm-up', actors.meter);
  await settleActors(actors.system);
}

/** A fresh database on the server for this run, dropped when `use` ends, also on failure. */
async function withBenchDatabase<T>(url: string, use: (benchUrl: string, name: string) => Promise<T>): Promise<T> {
  const database = await createFreshDatabase(url, `bench_checkout_${process.pid}`);
  const forgetCleanUp = onInterrupt(() => database.drop());
  try {
    return await use(database.url, database.name);
  } finally {
    forgetCleanUp();
    await database.drop();
  }
}

async function serverSettings(db: Db): Promise<Record<string, string>> {
  const rows = await db.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings
     WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers', 'server_version', 'max_connections')`,
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
}

async function benchPostgres(run: Run, url: string, catalog: Catalog): Promise<{ stores: StoreRecord[]; cells: CellRecord[] }> {
  return withBenchDatabase(url, async (benchUrl, name) => {
    log(`actors-postgres and sql-baseline: database ${name}…`);
    const opened = await timed(() => startActors('actors-postgres', { DATABASE_URL: benchUrl }));
    // One connection of the benchmark's own, to list the backends whose CPU a cell used; the
    // other target's pool sits idle in the same database while a cell runs.
    const monitor = await openPostgres(benchUrl, { max: 1 });
    const actors = actorMeter(opened.value, backendsOf(monitor));
    try {
      const baselineOpened = await timed(() => openSqlCheckout(benchUrl, 'sql_checkout'));
      const baseline: BaselineTarget = Object.assign(baselineOpened.value, {
        meter: { counts: () => baselineOpened.value.db.counts(), probe: { thread: null, backendPids: backendsOf(monitor) } },
      });
      try {
        const settings = await serverSettings(baseline.db);
        const actorsSeeded = await timed(() => seedActors(actors.system, catalog));
        const baselineSeeded = await timed(() => baseline.seed(catalog));
        const baselineAcknowledged = new Acknowledged();
        await warmUpActors(actors, catalog);
        const warmUp: CellPlan = { scenario: 'mixed', concurrency: warmUpConcurrency };
        await measure('sql-baseline', warmUp, catalog, warmUpMs, (id, cart) => baseline.checkout(id, cart), baselineAcknowledged, 'warm-up', baseline.meter);
        const cells: CellRecord[] = [];
        for (const plan of cellPlans) {
          cells.push(await actorCell(run, actors, plan, catalog));
          cells.push(await baselineCell(run, baseline, baselineAcknowledged, plan, catalog));
        }
        const location = `${redactPassword(url)} → database ${name} (dropped afterwards)`;
        const stores: StoreRecord[] = [
          { target: 'actors-postgres', location: `${location}, schema public`, settings, openMs: opened.ms, seedMs: actorsSeeded.ms },
          { target: 'sql-baseline', location: `${location}, schema sql_checkout`, settings, openMs: baselineOpened.ms, seedMs: baselineSeeded.ms },
        ];
        return { stores, cells };
      } finally {
        await baseline.close();
      }
    } finally {
      await monitor.close();
      await actors.close();
    }
  });
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

async function main(): Promise<void> {
  const run = startRun('checkout');
  const catalog = buildCatalog(catalogSize);
  const stores: StoreRecord[] = [];
  const cells: CellRecord[] = [];
  const skipped: { target: Target; reason: string }[] = [];
  const pglite = await benchPglite(run, catalog);
  stores.push(pglite.store);
  cells.push(...pglite.cells);
  if (databaseUrl === undefined) {
    for (const target of ['actors-postgres', 'sql-baseline'] as const) skipped.push({ target, reason: 'DATABASE_URL is not set' });
    log('actors-postgres and sql-baseline: skipped, DATABASE_URL is not set');
  } else {
    const postgres = await benchPostgres(run, databaseUrl, catalog);
    stores.push(...postgres.stores);
    cells.push(...postgres.cells);
  }
  const ratioRows = ratios(cells);
  printResults(cells, ratioRows, cellMs);
  printCost(cells);
  const auditsClean = cells.every((cell) => cell.audit.ok);
  await finishRun(run, {
    ok: auditsClean,
    auditsClean,
    config: {
      cellMs,
      warmUpMs,
      warmUpConcurrency,
      cells: cellPlans,
      catalog: { ...catalogSize, fundingMinor: catalog.fundingMinor, stockPerProduct: catalog.products[0]?.stock ?? null },
      scenarios,
      checkoutTimeoutMs,
      poolConnections: { actorsPostgres: defaultPools, sqlBaseline: baselinePoolSize },
      load: 'closed loop: each client sends its next checkout when the previous one finished',
      latency: 'from the call to every order PAID (actors: checkout() resolving, which includes the checkout confirming each order; baseline: COMMIT); nearest-rank percentiles from an HDR histogram (3 significant digits)',
      throughput: 'orders paid ÷ time from the first checkout to the last outcome (in-flight ones finish; settling after is not counted)',
      ordersPerCoreSecond: 'orders/s ÷ (cores this process used + cores PostgreSQL used) during the cell (lib/cpu.ts)',
      sql: 'statements and transactions sent during the cell through the stores\' Db (persistence/adapters/counting-db.ts); statements include BEGIN, COMMIT and savepoints',
      cpuSplit: 'cores by thread during the cell (lib/thread-cpu.ts, /proc schedstat): the main thread (runtime), PGlite\'s worker thread or this run\'s PostgreSQL backends (database), the process\'s other threads; databaseShare = database ÷ (process + backends)',
      embeddedDatabase: 'actors-pglite runs PGlite in a worker thread (persistence/adapters/pglite-worker.ts), the embedded default',
      isolation: 'actors-postgres and sql-baseline share a fresh database created for the run and dropped after it',
    },
    stores,
    skipped,
    cells,
    ratios: ratioRows,
  });
  if (!auditsClean) {
    process.stderr.write('\ncheckout benchmark: a ledger audit was NOT clean; see the audit column and bench/results/checkout.json\n');
    process.exitCode = 1;
  }
}

await main();
