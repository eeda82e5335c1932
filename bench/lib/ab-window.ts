/**
 * One window of the A/B benchmark (bench/ab.bench.ts), run in a process of its own against the
 * tree at AB_TREE (a git worktree of one revision): that tree's own system, workload and closed
 * loop (its bench/lib), so each side runs exactly its revision's code. Embedded (PGlite in a
 * temporary folder) or, with DATABASE_URL, on a fresh database of that server, dropped afterwards.
 * Seeds, warms up for 2 s, measures AB_WINDOW_MS, and prints one `AB_RESULT <json>` line.
 */
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sampleCpu, type CpuSample } from './cpu.ts';

interface TreeModules {
  readonly actors: {
    startActors(target: string, env: Record<string, string>): Promise<{ readonly system: unknown; close(): Promise<void> }>;
    seedActors(system: unknown, catalog: unknown): Promise<void>;
    sendToActors(system: unknown, checkoutId: string, cart: unknown): Promise<unknown>;
    settleActors(system: unknown): Promise<number>;
  };
  readonly loop: {
    runClosedLoop(options: { concurrency: number; durationMs: number; nextCart: () => unknown; send: (cart: unknown, index: number) => Promise<unknown> }): Promise<{
      readonly orders: number;
      readonly ordersPerSec: number;
      readonly failures: Readonly<Record<string, number>>;
      readonly latencyMs: { readonly p50: number; readonly p99: number };
    }>;
  };
  readonly workload: {
    buildCatalog(size: { sellers: number; productsPerSeller: number; buyers: number }): unknown;
    cartGenerator(catalog: unknown, scenario: unknown, seed: number): () => unknown;
    cartSeed(scenario: string, clients: number, purpose: string): number;
    scenarios: Record<string, unknown>;
  };
  readonly fresh: { createFreshDatabase(serverUrl: string, purpose: string): Promise<{ readonly url: string; drop(): Promise<void> }> };
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

async function importTree(tree: string): Promise<TreeModules> {
  const load = (path: string) => import(pathToFileURL(`${tree}/${path}`).href);
  const [actors, loop, workload, fresh] = await Promise.all([
    load('bench/lib/checkout-actors.ts'),
    load('bench/lib/closed-loop.ts'),
    load('bench/lib/checkout-workload.ts'),
    load('persistence/adapters/testing/fresh-database.ts'),
  ]);
  return { actors, loop, workload, fresh } as TreeModules;
}

async function main(): Promise<void> {
  const tree = required('AB_TREE');
  const target = required('AB_TARGET');
  const scenario = required('AB_SCENARIO');
  const clients = Number(required('AB_CLIENTS'));
  const windowMs = Number(required('AB_WINDOW_MS'));
  const { actors, loop, workload, fresh } = await importTree(tree);
  const database = target === 'postgres' ? await fresh.createFreshDatabase(required('DATABASE_URL'), `bench_ab_${process.pid}`) : null;
  try {
    const started = await actors.startActors(target === 'postgres' ? 'actors-postgres' : 'actors-pglite', database === null ? {} : { DATABASE_URL: database.url });
    try {
      const catalog = workload.buildCatalog({ sellers: 16, productsPerSeller: 8, buyers: 400 });
      await actors.seedActors(started.system, catalog);
      const carts = (purpose: string) => ({
        nextCart: workload.cartGenerator(catalog, workload.scenarios[scenario], workload.cartSeed(scenario, clients, purpose)),
        send: (cart: unknown, index: number) => actors.sendToActors(started.system, `${purpose}-${index}`, cart),
      });
      await loop.runClosedLoop({ concurrency: 16, durationMs: 2_000, ...carts('warm') });
      await actors.settleActors(started.system);
      const pauses: number[] = [];
      const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries().map((entry) => entry.duration)));
      observer.observe({ entryTypes: ['gc'] });
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const cpuAtStart = process.cpuUsage();
      const machineAtStart = sampleCpu();
      const startedAt = performance.now();
      const result = await loop.runClosedLoop({ concurrency: clients, durationMs: windowMs, ...carts('run') });
      const cpu = process.cpuUsage(cpuAtStart);
      const machineAtEnd = sampleCpu();
      const elapsedMs = performance.now() - startedAt;
      observer.disconnect();
      delay.disable();
      await actors.settleActors(started.system);
      const gcMs = pauses.reduce((sum, pause) => sum + pause, 0);
      const window = {
        ordersPerSec: result.ordersPerSec,
        p50Ms: result.latencyMs.p50,
        p99Ms: result.latencyMs.p99,
        // The whole process: the runtime, GC and libuv threads, and PGlite's worker when embedded.
        cpuUsPerOrder: Math.round((cpu.user + cpu.system) / Math.max(1, result.orders)),
        // PostgreSQL's backends (every one on the machine: the server is the benchmark's own here).
        postgresCpuUsPerOrder: database === null ? null : postgresUsPerOrder(machineAtStart, machineAtEnd, result.orders),
        gcPercent: Math.round((gcMs / elapsedMs) * 1_000) / 10,
        eventLoopDelayP99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
        failures: result.failures,
      };
      process.stdout.write(`AB_RESULT ${JSON.stringify(window)}\n`);
    } finally {
      await started.close();
    }
  } finally {
    await database?.drop();
  }
}

function postgresUsPerOrder(start: CpuSample | null, end: CpuSample | null, orders: number): number | null {
  if (start === null || end === null) return null;
  let seconds = 0;
  for (const [pid, times] of end.postgres) seconds += times.cpuSeconds - (start.postgres.get(pid)?.cpuSeconds ?? 0);
  return Math.round((seconds * 1e6) / Math.max(1, orders));
}

await main();
