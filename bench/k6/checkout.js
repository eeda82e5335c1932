// @ts-check
/**
 * Checkout load: fresh buyers deposit (setup) and check out, sellers ship, buyers confirm
 * delivery, each step retried once with the same id on purpose (idempotency under load). Open
 * model: purchases arrive at a constant rate whether or not earlier ones finished.
 *
 *   k6 run -e BASE_URL=http://localhost:3000 bench/k6/checkout.js
 *   knobs: RATE (purchases/s, default 20), DURATION (default 2m), BUYERS (50), SELLERS (10),
 *          ADMIN_EMAIL / ADMIN_PASSWORD for the ledger audit in teardown.
 */
import exec from 'k6/execution';
import { runLedgerAudit } from './lib/audit.js';
import { purchaseOnce } from './lib/checkout-flow.js';
import { setUpMarket } from './lib/market.js';
import { envNumber, envText, thresholdsFor } from './lib/options.js';

const RATE = envNumber('RATE', 20);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    checkout: {
      executor: 'constant-arrival-rate',
      exec: 'checkout',
      rate: RATE,
      timeUnit: '1s',
      duration: envText('DURATION', '2m'),
      // A purchase is six requests (~0.1–1 s); VUs cover a few seconds of arrivals before
      // k6 must allocate more, and arrivals past maxVUs are counted as dropped_iterations.
      preAllocatedVUs: Math.max(10, RATE * 2),
      maxVUs: Math.max(50, RATE * 10),
    },
  },
  thresholds: thresholdsFor('checkout', { p95: 1000, p99: 2500 }),
  setupTimeout: '300s',
  teardownTimeout: '60s',
};

export function setup() {
  // $100,000 per buyer: far above what a run spends (items cost ~$15).
  return setUpMarket({ name: 'checkout', sellers: envNumber('SELLERS', 10), productsPerSeller: 3, buyers: envNumber('BUYERS', 50), fundingMinor: 10000000 });
}

/** @param {import('./lib/market.js').Market} market */
export function checkout(market) {
  purchaseOnce(market, exec.vu.idInTest, exec.vu.iterationInScenario);
}

export function teardown() {
  runLedgerAudit();
}
