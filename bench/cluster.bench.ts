/**
 * Cluster benchmark (issue #16): `npm run bench:cluster` (BENCH_QUICK=1 for a smoke run).
 *
 * For one, two and three nodes (CLUSTER_BENCH_NODES, "1,2,3"), each on a fresh database made on
 * the PostgreSQL server at CLUSTER_BENCH_DATABASE_URL or DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards: real gateway processes
 * (`node --import tsx gateway/main.ts`, bench/cluster/node-process.ts) in cluster mode,
 * CLUSTER_BENCH_SHARDS shards (256), leases of CLUSTER_BENCH_TTL_MS (1,500 ms), then
 * (bench/cluster/cluster-size.ts):
 * - forwarding overhead: 1-cent deposits over HTTP, each sent to the node that owns the wallet
 *   (local) and to one that does not (forwarded), interleaved, CLUSTER_BENCH_SAMPLES (300) each,
 *   sequential and CLUSTER_BENCH_CONCURRENCY (16) in flight;
 * - throughput: a closed loop of CLUSTER_BENCH_LOOP_CONCURRENCY (32) clients for
 *   CLUSTER_BENCH_LOOP_MS (6 s), spread over the nodes in turn and routed by owner, with
 *   forwards/s from the nodes' /metrics;
 * - handoff: SIGTERM of the last node → the first success on one of its keys, through a survivor;
 * - failover: SIGKILL of n1 → the same (expected: about one TTL more);
 * - fenced batches: `bazaary_cluster_fenced_batches_total` summed over the nodes.
 * It prints the tables and writes bench/results/cluster.json with the machine, the commit, the
 * load and what the numbers predict for N machines. Exits 1 when a moved key was never served
 * again or a latency phase had failed deposits.
 */
import postgres from 'postgres';
import { finishRun, startRun } from './lib/run.ts';
import { runClusterSize } from './cluster/cluster-size.ts';
import { clusterBenchOptions } from './cluster/options.ts';
import { predict, printClusterTables } from './cluster/report.ts';
import type { SizeResult } from './cluster/results.ts';

const note =
  'All nodes, PostgreSQL and the load generator share this machine: with 2 cores, more nodes only split the same CPU, ' +
  'so these runs cannot show scale-up. They measure what a cluster adds (the forward hop, the handoff and failover times, ' +
  'fenced batches) and its CPU cost per command; the predictions derive N-machine figures from those.';

function problemsOf(sizes: readonly SizeResult[]): string[] {
  const problems: string[] = [];
  for (const size of sizes) {
    for (const phase of [size.handoff, size.failover]) {
      if (phase !== null && phase.keysServedAgain < phase.keysFollowed) problems.push(`${size.nodes} nodes, ${phase.signal}: ${phase.keysFollowed - phase.keysServedAgain} moved keys were not served again`);
      if (phase?.stopProblem != null) problems.push(`${size.nodes} nodes, ${phase.signal}: ${phase.stopProblem}`);
    }
    for (const phase of size.latency) {
      const failed = Object.values(phase.failures).reduce((sum, count) => sum + count, 0);
      if (failed > 0) problems.push(`${size.nodes} nodes, ${phase.concurrency} in flight: ${failed} deposits failed (${JSON.stringify(phase.failures)})`);
      // Each deposit meant to be forwarded was, and no local one was: the bench's view of the owners held.
      else if (phase.counters.forwardsAnswered !== (phase.forwarded?.count ?? 0)) {
        problems.push(`${size.nodes} nodes, ${phase.concurrency} in flight: ${phase.counters.forwardsAnswered} forwards for ${phase.forwarded?.count ?? 0} deposits sent to a non-owner`);
      }
    }
  }
  return problems;
}

/** Cores used by other work during the measured phases (each phase's `cpu.otherCores`). */
function noiseOf(sizes: readonly SizeResult[]): { meanOtherCores: number; maxOtherCores: number } {
  const others = sizes
    .flatMap((size) => [...size.latency, ...size.throughput, ...(size.handoff === null ? [] : [size.handoff]), ...(size.failover === null ? [] : [size.failover])])
    .flatMap((phase) => (phase.cpu === null ? [] : [phase.cpu.otherCores]));
  const twoDecimals = (value: number) => Math.round(value * 100) / 100;
  return { meanOtherCores: others.length === 0 ? 0 : twoDecimals(others.reduce((sum, value) => sum + value, 0) / others.length), maxOtherCores: others.length === 0 ? 0 : Math.max(...others) };
}

/** Why the run cannot happen here (no PostgreSQL server answers at the URL), or null. */
async function serverMissing(serverUrl: string): Promise<string | null> {
  const sql = postgres(serverUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (error) {
    return `no PostgreSQL server answers at ${serverUrl.replace(/\/\/[^@]*@/, '//…@')} (${(error as Error).message}); set CLUSTER_BENCH_DATABASE_URL or DATABASE_URL`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function main(): Promise<void> {
  const options = clusterBenchOptions();
  const run = startRun('cluster');
  const missing = await serverMissing(options.serverUrl);
  if (missing !== null) {
    process.stdout.write(`cluster benchmark skipped: ${missing}\n`);
    await finishRun(run, { ok: true, skipped: missing });
    return;
  }
  if (run.info.machine.cores <= 2) run.warnings.push(`${run.info.machine.cores} cores: ${note}`);
  const sizes: SizeResult[] = [];
  // Each size stops its nodes and drops its database, also on Ctrl-C (cluster-size.ts).
  for (const nodeCount of options.nodeCounts) sizes.push(await runClusterSize(nodeCount, options));
  printClusterTables(sizes);
  const predictions = predict(sizes);
  process.stdout.write(`\nWhat these predict for N machines:\n${predictions.text.map((line) => `- ${line}`).join('\n')}\n`);
  const problems = problemsOf(sizes);
  const noise = noiseOf(sizes);
  // finishRun's whole-run check counts the node processes (and the backends of the dropped
  // databases) as other processes; the phases' own split is the measure of noise here.
  run.warnings.push(
    `other work on the machine (not the nodes, PostgreSQL or this process) used ${noise.meanOtherCores} cores on average over the measured phases, ` +
      `${noise.maxOtherCores} at most: ${noise.maxOtherCores > 0.3 ? 'a noisy machine, re-run in a quiet window before comparing' : 'a quiet machine'}`,
  );
  for (const problem of problems) process.stdout.write(`FAILED: ${problem}\n`);
  await finishRun(run, {
    ok: problems.length === 0,
    problems,
    note,
    config: { ...options, serverUrl: options.serverUrl.replace(/\/\/[^@]*@/, '//…@'), server: 'node --import tsx gateway/main.ts per node, cluster mode, fresh database per cluster size' },
    nodeCounts: options.nodeCounts,
    leaseTtlMs: options.leaseTtlMs,
    shards: options.shardCount,
    noise,
    predictions,
    sizes,
  });
  if (problems.length > 0) process.exitCode = 1;
}

await main();
