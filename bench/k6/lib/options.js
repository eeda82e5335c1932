// @ts-check
/**
 * What every script's options share: thresholds on failed requests, latency percentiles and
 * checks, judged on the scenario's own requests (setup's registrations cost an argon2 hash each
 * and would blur the percentiles), plus the ledger audit's threshold; and knobs from __ENV.
 */
import { auditThresholds } from './audit.js';

/**
 * @param {string} scenario
 * @param {{ p95: number, p99: number }} latencyMs
 * @returns {Record<string, string[]>}
 */
export function thresholdsFor(scenario, latencyMs) {
  return {
    [`http_req_failed{scenario:${scenario}}`]: ['rate<0.01'],
    [`http_req_duration{scenario:${scenario}}`]: [`p(95)<${latencyMs.p95}`, `p(99)<${latencyMs.p99}`],
    checks: ['rate>0.99'],
    ...auditThresholds,
  };
}

/**
 * A number from __ENV, or the fallback.
 * @param {string} name
 * @param {number} fallback
 */
export function envNumber(name, fallback) {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${text}`);
  return value;
}

/** @param {string} name @param {string} fallback */
export function envText(name, fallback) {
  const text = __ENV[name];
  return text === undefined || text === '' ? fallback : text;
}
