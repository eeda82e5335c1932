// @ts-check
/**
 * Live load over WebSockets: many connected buyers and sellers. Sessions arrive at a constant
 * rate (open model); each connects a seller and a buyer, sends COMMANDS checkouts on the buyer's
 * socket, INTERVAL_MS apart, and measures each one's latency to the seller's `order.new`
 * notification. Sockets open at once ≈ 2 × SESSION_RATE × session length (~COMMANDS × INTERVAL_MS).
 * Any lost or skipped notification fails the run.
 *
 *   k6 run -e BASE_URL=http://localhost:3000 bench/k6/live.js
 *   knobs: SESSION_RATE (sessions/s, default 10), DURATION (2m), COMMANDS (5), INTERVAL_MS (2000),
 *          GRACE_MS (5000), BUYERS (100), SELLERS (20), ADMIN_EMAIL / ADMIN_PASSWORD.
 */
import exec from 'k6/execution';
import { runLedgerAudit } from './lib/audit.js';
import { liveSession } from './lib/live-flow.js';
import { setUpMarket } from './lib/market.js';
import { envNumber, envText, thresholdsFor } from './lib/options.js';

const SESSION_RATE = envNumber('SESSION_RATE', 10);
const SHAPE = { commands: envNumber('COMMANDS', 5), intervalMs: envNumber('INTERVAL_MS', 2000), graceMs: envNumber('GRACE_MS', 5000) };
const SESSION_S = Math.ceil((SHAPE.commands * SHAPE.intervalMs + 2 * SHAPE.graceMs) / 1000);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    live: {
      executor: 'constant-arrival-rate',
      exec: 'live',
      rate: SESSION_RATE,
      timeUnit: '1s',
      duration: envText('DURATION', '2m'),
      // One VU holds one session (two sockets) for up to SESSION_S seconds.
      preAllocatedVUs: SESSION_RATE * SESSION_S,
      maxVUs: SESSION_RATE * SESSION_S * 2,
      gracefulStop: `${SESSION_S}s`,
    },
  },
  thresholds: {
    ...thresholdsFor('live', { p95: 300, p99: 1000 }),
    notification_latency: ['p(95)<1000', 'p(99)<2000'],
    notifications_lost: ['count==0'],
    notification_seq_gaps: ['count==0'],
  },
  setupTimeout: '300s',
  teardownTimeout: '60s',
};

export function setup() {
  return setUpMarket({ name: 'live', sellers: envNumber('SELLERS', 20), productsPerSeller: 2, buyers: envNumber('BUYERS', 100), fundingMinor: 10000000 });
}

/** @param {import('./lib/market.js').Market} market */
export function live(market) {
  liveSession(market, exec.vu.idInTest, exec.vu.iterationInScenario, SHAPE);
}

export function teardown() {
  runLedgerAudit();
}
