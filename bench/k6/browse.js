// @ts-check
/**
 * Browse load: home pages, product pages and searches with typos, anonymous, open model
 * (arrivals at a rate that ramps up, whether or not the server keeps up).
 *
 *   k6 run -e BASE_URL=http://localhost:3000 bench/k6/browse.js
 *   knobs: PEAK_RATE (req/s, default 200), RAMP (default 1m), HOLD (default 2m),
 *          ADMIN_EMAIL / ADMIN_PASSWORD for the ledger audit in teardown.
 */
import exec from 'k6/execution';
import { runLedgerAudit } from './lib/audit.js';
import { browseOnce, setUpCatalog } from './lib/browse-flow.js';
import { envNumber, envText, thresholdsFor } from './lib/options.js';

const PEAK_RATE = envNumber('PEAK_RATE', 200);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    browse: {
      executor: 'ramping-arrival-rate',
      exec: 'browse',
      startRate: Math.max(1, Math.round(PEAK_RATE / 10)),
      timeUnit: '1s',
      // Each request takes a few ms; VUs beyond these are allocated only if answers slow down,
      // and arrivals that find all maxVUs busy are counted as dropped_iterations.
      preAllocatedVUs: Math.max(10, Math.round(PEAK_RATE / 4)),
      maxVUs: Math.max(50, PEAK_RATE * 2),
      stages: [
        { target: PEAK_RATE, duration: envText('RAMP', '1m') },
        { target: PEAK_RATE, duration: envText('HOLD', '2m') },
        { target: 0, duration: '10s' },
      ],
    },
  },
  thresholds: thresholdsFor('browse', { p95: 200, p99: 500 }),
  setupTimeout: '120s',
  teardownTimeout: '60s',
};

export function setup() {
  return setUpCatalog(envNumber('PRODUCTS', 20));
}

/** @param {import('./lib/browse-flow.js').Catalog} catalog */
export function browse(catalog) {
  browseOnce(catalog, exec.scenario.iterationInTest);
}

export function teardown() {
  runLedgerAudit();
}
