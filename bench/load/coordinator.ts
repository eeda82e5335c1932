/**
 * One load scenario against the real server, open model, stepping the offered load:
 *
 *   npx tsx bench/load/coordinator.ts browse|checkout|live     (npm run bench:load:<name>)
 *
 * The server runs in its own process (bench/load/server.ts), the requests come from separate
 * generator processes (bench/load/worker.ts), and this process only sets up the run through the
 * API, hands out the steps and merges what comes back. At the end it runs the ledger audit as
 * the admin, prints a table, and writes bench/results/load-<name>.json (machine, commit, load
 * average, every step) and bench/results/load-<name>.svg (throughput and latency percentiles
 * against offered load).
 *
 * `ok` is false, and the exit status 1, when the audit is not clean, a correctness check failed
 * (a retried checkout answered other orders, a status was wrong: error codes `check_*`), or a
 * notification was lost or skipped. Timeouts and 5xx at the highest rates are findings about
 * capacity, reported in the table, and do not fail the run.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { adminLogin } from '../../gateway/seed/catalog.ts';
import type { LedgerAudit } from '../../persistence/projections/readmodels/audit-report.ts';
import { cpuBetween, sampleCpu } from '../lib/cpu.ts';
import { onInterrupt } from '../lib/interrupts.ts';
import { log } from '../lib/options.ts';
import { finishRun, startRun } from '../lib/run.ts';
import { renderLoadChart } from './chart.ts';
import { spawnGenerators, type Generator } from './generators.ts';
import { liveTargets, printLiveTargets } from './live-targets.ts';
import { auditWhenSettled, catalogSample, login, partitionMarket, setUpMarket, type Market } from './market.ts';
import { isScenarioName, planFor, type ScenarioPlan } from './plans.ts';
import { chartOf, disturbance, printSteps, summarizeStep, type StepSummary } from './report.ts';
import { typoTerms } from './scenarios/browse.ts';
import type { StepExtra, WorkerFixture } from './scenarios/scenario.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import type { FromWorker } from './worker.ts';

function expectType<Type extends FromWorker['type']>(message: FromWorker, type: Type): Extract<FromWorker, { type: Type }> {
  if (message.type !== type) throw new Error(`a load generator answered ${message.type}, expected ${type}`);
  return message as Extract<FromWorker, { type: Type }>;
}

async function prepareFixtures(server: ServerProcess, plan: ScenarioPlan, runId: string): Promise<Omit<WorkerFixture, 'idPrefix' | 'market'> & { market: Market }> {
  const market = plan.market.sellers === 0 ? { sellers: [], buyers: [] } : await setUpMarket(server.baseUrl, { ...plan.market, runId });
  const catalog = plan.scenario === 'browse' ? await catalogSample(server.baseUrl) : [];
  return { baseUrl: server.baseUrl, market, productIds: catalog.map((product) => product.id), searchTerms: typoTerms(catalog.map((product) => product.title)) };
}

async function runSteps(server: ServerProcess, plan: ScenarioPlan, generators: readonly Generator[]): Promise<StepSummary[]> {
  const steps: StepSummary[] = [];
  for (const [stepIndex, offeredPerSec] of plan.ratesPerSec.entries()) {
    const usageBefore = await server.usage();
    const cpuBefore = sampleCpu();
    const startedAt = performance.now();
    const answers = await Promise.all(
      generators.map((generator) =>
        generator.ask({ type: 'step', stepIndex, ratePerSec: offeredPerSec / generators.length, durationMs: plan.stepMs, phase: generator.index / generators.length, maxInFlight: plan.maxInFlightPerGenerator }),
      ),
    );
    const wallMs = performance.now() - startedAt;
    const machine = cpuBetween(cpuBefore, sampleCpu());
    const done = answers.map((answer) => expectType(answer, 'step-done'));
    const step = summarizeStep({
      plan,
      offeredPerSec,
      records: done.map((answer) => answer.record),
      extras: done.map((answer) => answer.extra),
      usageBefore,
      usageAfter: await server.usage(),
      wallMs,
      generatorCpuMs: done.reduce((total, answer) => total + answer.cpuMs, 0),
      machine,
    });
    log(`  ${offeredPerSec}/s offered: ${step.achievedPerSec}/s achieved, p99 ${step.latencyMs.p99 ?? '—'} ms, ${step.errors} errors, ${step.dropped} dropped`);
    steps.push(step);
  }
  return steps;
}

function verdict(steps: readonly StepSummary[], closing: readonly StepExtra[], audit: LedgerAudit): string[] {
  const problems: string[] = [];
  if (!audit.ok) problems.push(`ledger audit not clean: drift ${audit.totals.driftMinor} cents, ${audit.anomalies.length} anomalies`);
  const failedChecks = steps.flatMap((step) => Object.entries(step.errorsByCode).filter(([code]) => code.startsWith('check_')).map(([code, count]) => `${code} ×${count} at ${step.offeredPerSec}/s`));
  if (failedChecks.length > 0) problems.push(`correctness checks failed: ${failedChecks.join(', ')}`);
  // Only the final count is loss: a step's late notifications may still come before the end.
  const lost = closing.reduce((total, extra) => total + extra.lostNotifications, 0);
  const gaps = steps.reduce((total, step) => total + (step.notifications?.seqGaps ?? 0), 0) + closing.reduce((total, extra) => total + extra.seqGaps, 0);
  if (lost > 0) problems.push(`${lost} notifications lost`);
  if (gaps > 0) problems.push(`${gaps} notification seq gaps`);
  return problems;
}

async function main(): Promise<void> {
  const scenario = process.argv[2] ?? '';
  if (!isScenarioName(scenario)) throw new Error(`usage: tsx bench/load/coordinator.ts browse|checkout|live (got ${JSON.stringify(scenario)})`);
  const name = `load-${scenario}`;
  const run = startRun(name);
  const plan = planFor(scenario);
  const server = await startServerProcess();
  const forgetServer = onInterrupt(() => server.stop());
  let generators: Generator[] = [];
  try {
    const runId = Date.now().toString(36);
    const adminToken = await login(server.baseUrl, adminLogin.email, adminLogin.password);
    log(`${name}: server at ${server.baseUrl}; setting up ${plan.market.sellers} sellers and ${plan.market.buyers} buyers through the API`);
    const shared = await prepareFixtures(server, plan, runId);
    generators = spawnGenerators(plan.generators);
    await Promise.all(
      generators.map(async (generator) => {
        const fixture: WorkerFixture = { ...shared, idPrefix: `${runId}-g${generator.index}`, market: partitionMarket(shared.market, generator.index, generators.length) };
        expectType(await generator.ask({ type: 'prepare', scenario, fixture }), 'ready');
      }),
    );
    const steps = await runSteps(server, plan, generators);
    for (const step of steps) {
      const warning = disturbance(step);
      if (warning !== null) run.warnings.push(warning);
    }
    const closing = (await Promise.all(generators.map((generator) => generator.ask({ type: 'close' })))).map((answer) => expectType(answer, 'closed').extra);
    const lostAtEnd = closing.reduce((total, extra) => total + extra.lostNotifications, 0);
    const audit = await auditWhenSettled(server.baseUrl, adminToken);
    const problems = verdict(steps, closing, audit);
    printSteps(plan, steps);
    const targets = scenario === 'live' ? liveTargets(steps) : null;
    if (targets !== null) printLiveTargets(targets, lostAtEnd);
    process.stdout.write(`ledger audit: ${audit.ok ? 'clean' : 'NOT CLEAN'} (${audit.wallets} wallets, ${audit.orders} orders, drift ${audit.totals.driftMinor} cents, in flight ${audit.totals.inFlightMinor} cents)\n`);
    for (const problem of problems) process.stdout.write(`FAILED: ${problem}\n`);
    const svg = new URL(`../results/${name}.svg`, import.meta.url);
    await writeFile(svg, renderLoadChart(chartOf(plan, steps, `${name}: ${plan.description}`)));
    process.stdout.write(`wrote ${fileURLToPath(svg)}`);
    const { ratesPerSec, stepMs, generators: generatorCount, maxInFlightPerGenerator, market, description, unit } = plan;
    await finishRun(run, {
      ok: problems.length === 0,
      problems,
      scenario,
      plan: { description, unit, ratesPerSec, stepMs, generators: generatorCount, maxInFlightPerGenerator, market },
      steps,
      ...(scenario === 'live' ? { liveTargets: targets, notificationsLostAtEnd: lostAtEnd, lateNotificationsReceivedAtEnd: closing.reduce((total, extra) => total + extra.notificationLatenciesMs.length, 0) } : {}),
      audit: { ok: audit.ok, wallets: audit.wallets, orders: audit.orders, totals: audit.totals, anomalies: audit.anomalies.slice(0, 20), inFlight: audit.inFlight.length },
    });
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    for (const generator of generators) generator.kill();
    await server.stop();
    forgetServer();
  }
}

await main();
