/**
 * Storm benchmark: `npm run bench:storm` (BENCH_QUICK=1 for a smoke run).
 *
 * One buyer who can afford N orders sends STORM_REQUESTS (1,000) checkouts of one product of
 * one seller, all at once, over HTTP, to a real server in a process of its own (the gateway in
 * embedded mode, as `npm start` runs it: bench/load/server-process.ts, fresh data dir, free
 * port). Exactly N must be bought (201) and every other one refused (409 insufficient_funds):
 * each request's final answer, whether it came on the first try, every 503 (`timeout`,
 * `unavailable`) and client timeout counted apart, the storm's total duration, the buyer's
 * wallet afterwards, and the admin's ledger audit go to bench/results/storm.json.
 *
 * A request with no final answer is retried with the same checkout id (safe: checkouts are
 * idempotent by id) up to STORM_MAX_ATTEMPTS times, so a storm that only answers after retries
 * shows as such instead of as lost requests. The run exits 1 when a checkout got no final
 * answer, when the count bought is not N, or when the audit is not clean.
 */
import type { ProductDto, WalletDto } from '../gateway/api-types.ts';
import { adminLogin } from '../gateway/seed/catalog.ts';
import { expectOk } from './load/api-client.ts';
import { auditWhenSettled, login, register } from './load/market.ts';
import { startServerProcess, type ServerProcess } from './load/server-process.ts';
import { onInterrupt } from './lib/interrupts.ts';
import { integerFromEnv, log, quick } from './lib/options.ts';
import { sleep } from './lib/pool.ts';
import { finishRun, startRun } from './lib/run.ts';
import { printStorm, summarizeStorm } from './lib/storm-report.ts';
import { runStorm, type StormOptions, type StormTarget } from './lib/storm-requests.ts';

const options: StormOptions = {
  requests: integerFromEnv('STORM_REQUESTS', quick ? 200 : 1_000),
  maxAttempts: integerFromEnv('STORM_MAX_ATTEMPTS', 5),
  attemptTimeoutMs: integerFromEnv('STORM_ATTEMPT_TIMEOUT_MS', 60_000),
  retryPauseMs: 100,
};
/** The checkouts the buyer can pay for: the storm had 37 (963 refusals of 1,000). */
const affordable = integerFromEnv('STORM_AFFORDABLE', quick ? 10 : 37);
const priceMinor = 1_000;
/** How long the new product may take to reach the read model that checkout reads. */
const listedWaitMs = 30_000;

async function setUp(server: ServerProcess, runId: string): Promise<StormTarget & { readonly buyerId: string }> {
  const seller = await register(server.baseUrl, 'SELLER', `storm-${runId}-seller@example.test`);
  const fields = { title: 'Storm lamp', description: 'A lamp everyone wants at once.', priceMinor, stock: options.requests, category: 'storm' };
  const product = await expectOk<ProductDto>(server.baseUrl, 'POST', '/api/products', { token: seller.token, body: { commandId: `storm-product-${runId}`, ...fields } });
  const buyer = await register(server.baseUrl, 'BUYER', `storm-${runId}-buyer@example.test`);
  await expectOk<WalletDto>(server.baseUrl, 'POST', '/api/wallet/deposit', {
    token: buyer.token,
    body: { commandId: `storm-funding-${runId}`, amountMinor: affordable * priceMinor },
  });
  const deadline = Date.now() + listedWaitMs;
  while ((await fetch(`${server.baseUrl}/api/products/${product.id}`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`the product did not reach the read model in ${listedWaitMs} ms`);
    await sleep(100);
  }
  return { baseUrl: server.baseUrl, buyerToken: buyer.token, buyerId: buyer.userId, productId: product.id };
}

async function main(): Promise<void> {
  const run = startRun('storm');
  const server = await startServerProcess();
  const forgetServer = onInterrupt(() => server.stop());
  try {
    const runId = Date.now().toString(36);
    const adminToken = await login(server.baseUrl, adminLogin.email, adminLogin.password);
    const target = await setUp(server, runId);
    log(`storm: server at ${server.baseUrl}; ${options.requests} checkouts at once by a buyer who can afford ${affordable}…`);
    const usageBefore = await server.usage();
    const { records, durationMs } = await runStorm(target, options);
    const usageAfter = await server.usage();
    const summary = summarizeStorm(records, affordable, durationMs);
    printStorm(summary, records);
    const wallet = await expectOk<WalletDto>(server.baseUrl, 'GET', '/api/wallet', { token: target.buyerToken });
    const audit = await auditWhenSettled(server.baseUrl, adminToken);
    process.stdout.write(
      `buyer's wallet after: ${wallet.balanceMinor} cents (expected ${(affordable - summary.created) * priceMinor}); ` +
        `ledger audit: ${audit.ok ? 'clean' : 'NOT CLEAN'} (${audit.orders} orders, drift ${audit.totals.driftMinor} cents)\n`,
    );
    const problems: string[] = [];
    if (summary.noFinalAnswer + summary.otherAnswers > 0) problems.push(`${summary.noFinalAnswer + summary.otherAnswers} checkouts got no final answer (201 or 409 insufficient_funds)`);
    if (summary.created !== affordable) problems.push(`${summary.created} checkouts were bought, the buyer could afford ${affordable}`);
    if (wallet.balanceMinor !== (affordable - summary.created) * priceMinor) problems.push(`the buyer's balance is ${wallet.balanceMinor} cents`);
    if (!audit.ok) problems.push(`ledger audit not clean: drift ${audit.totals.driftMinor} cents, ${audit.anomalies.length} anomalies`);
    for (const problem of problems) process.stdout.write(`FAILED: ${problem}\n`);
    await finishRun(run, {
      ok: problems.length === 0,
      problems,
      config: { ...options, affordable, priceMinor, server: 'bench/load/server-process.ts: the gateway in embedded mode (PGlite in a worker thread), fresh DATA_DIR, demo seed' },
      summary,
      serverCpuMs: usageAfter.cpuMs - usageBefore.cpuMs,
      serverRssBytes: usageAfter.rssBytes,
      wallet: { balanceMinor: wallet.balanceMinor, lockedMinor: wallet.lockedMinor },
      audit: { ok: audit.ok, wallets: audit.wallets, orders: audit.orders, totals: audit.totals, anomalies: audit.anomalies.slice(0, 20), inFlight: audit.inFlight.length },
      requests: records.map((record) => ({
        index: record.index,
        final: record.final.code === null ? record.final.status : `${record.final.status} ${record.final.code}`,
        firstTry: record.firstTry,
        attempts: record.attempts.map((attempt) => ({ status: attempt.status, code: attempt.code, ms: attempt.ms })),
        doneAtMs: record.doneAtMs,
      })),
    });
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    forgetServer();
    await server.stop();
  }
}

await main();
