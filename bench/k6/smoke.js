// @ts-check
/**
 * Smoke: each flow a few times at one arrival per second, one after the other, with the same
 * thresholds and the same ledger audit as the load scripts. For CI and for checking a fresh
 * deployment; what the compose `k6` service runs by default:
 *
 *   docker compose --profile bench run --rm k6            (BASE_URL=http://app:3000)
 *   k6 run -e BASE_URL=http://localhost:3000 bench/k6/smoke.js
 */
import exec from 'k6/execution';
import { runLedgerAudit } from './lib/audit.js';
import { browseOnce, setUpCatalog } from './lib/browse-flow.js';
import { purchaseOnce } from './lib/checkout-flow.js';
import { liveSession } from './lib/live-flow.js';
import { setUpMarket } from './lib/market.js';
import { thresholdsFor } from './lib/options.js';

/**
 * One arrival per second of the exported function `name`, open model like the load scripts.
 * @param {string} name @param {string} startTime @param {string} duration
 */
function onePerSecond(name, startTime, duration) {
  return /** @type {const} */ ({ executor: 'constant-arrival-rate', exec: name, rate: 1, timeUnit: '1s', duration, startTime, preAllocatedVUs: 2, maxVUs: 4 });
}

const SESSION = { commands: 2, intervalMs: 500, graceMs: 3000 };

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    browse: onePerSecond('browse', '0s', '5s'),
    checkout: onePerSecond('checkout', '6s', '3s'),
    live: { ...onePerSecond('live', '10s', '2s'), gracefulStop: '10s' },
  },
  thresholds: {
    ...thresholdsFor('browse', { p95: 500, p99: 1000 }),
    ...thresholdsFor('checkout', { p95: 2000, p99: 4000 }),
    ...thresholdsFor('live', { p95: 500, p99: 1000 }),
    notification_latency: ['p(99)<2000'],
    notifications_lost: ['count==0'],
    notification_seq_gaps: ['count==0'],
  },
  setupTimeout: '180s',
  teardownTimeout: '60s',
};

export function setup() {
  return { catalog: setUpCatalog(5), market: setUpMarket({ name: 'smoke', sellers: 2, productsPerSeller: 1, buyers: 2, fundingMinor: 1000000 }) };
}

/** @typedef {{ catalog: import('./lib/browse-flow.js').Catalog, market: import('./lib/market.js').Market }} Fixture */

/** @param {Fixture} fixture */
export function browse(fixture) {
  browseOnce(fixture.catalog, exec.scenario.iterationInTest);
}

/** @param {Fixture} fixture */
export function checkout(fixture) {
  purchaseOnce(fixture.market, exec.vu.idInTest, exec.vu.iterationInScenario);
}

/** @param {Fixture} fixture */
export function live(fixture) {
  liveSession(fixture.market, exec.vu.idInTest, exec.vu.iterationInScenario, SESSION);
}

export function teardown() {
  runLedgerAudit();
}
