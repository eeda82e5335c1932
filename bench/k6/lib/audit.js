// @ts-check
/**
 * The ledger audit every script runs in teardown() (GET /api/admin/ledger/audit, as the admin):
 * deposits − withdrawals must equal Σ balance + Σ locked + money in flight, no balance negative,
 * no order paid or released twice. Any anomaly FAILS the run, in two ways on purpose:
 *
 * - The `ledger_anomalies` Counter gets the number of anomalies, and every script has the
 *   threshold `ledger_anomalies: ['count==0']`. k6 evaluates thresholds on metrics emitted in
 *   setup() and teardown() too (grafana/k6#680, since v0.22), so the summary shows the failed
 *   threshold and k6 exits with 99, like any other threshold.
 * - exec.test.abort() then stops the run with its own exit code (108), so the failure stands even
 *   when thresholds are switched off (`--no-thresholds`) or the counter's line is overlooked.
 *   (Throwing would also give a non-zero exit since grafana/k6#868, but abort names the reason.)
 *
 * A saga still between two steps when the load stops shows as money in flight (and, since the
 * audit reads streams one after another, possibly as a transient anomaly), so the audit is asked
 * again until it is clean with nothing in flight, for at most AUDIT_SETTLE_S seconds. What it
 * says then is the verdict. The admin defaults are the demo ones; set ADMIN_EMAIL and
 * ADMIN_PASSWORD for a deployment. Without a working admin login the run fails too: an audit
 * that could not run proves nothing.
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { call, json, login } from './api.js';

export const ledgerAnomalies = new Counter('ledger_anomalies');

const ADMIN_EMAIL = __ENV.ADMIN_EMAIL || 'admin@bazaary.dev';
const ADMIN_PASSWORD = __ENV.ADMIN_PASSWORD || 'bazaary-admin';
const SETTLE_S = Number(__ENV.AUDIT_SETTLE_S || 30);

/** The thresholds every script adds for the audit. */
export const auditThresholds = { ledger_anomalies: ['count==0'] };

/**
 * @typedef {{ ok: boolean, wallets: number, orders: number, totals: { driftMinor: string, inFlightMinor: string },
 *   inFlight: unknown[], anomalies: { kind: string }[] }} LedgerAudit
 */

/** @param {string} token @returns {LedgerAudit | null} */
function readAudit(token) {
  const res = call('GET', '/api/admin/ledger/audit', { token });
  return res.status === 200 ? json(res) : null;
}

/** @param {string} reason */
function failRun(reason, anomalies = 1) {
  ledgerAnomalies.add(anomalies);
  console.error(`ledger audit: ${reason}`);
  exec.test.abort(`ledger audit: ${reason}`);
}

export function runLedgerAudit() {
  // A sample of 0 first, so the threshold always has a value to judge.
  ledgerAnomalies.add(0);
  const token = login(ADMIN_EMAIL, ADMIN_PASSWORD);
  if (token === null) return failRun(`could not log in as ${ADMIN_EMAIL} (set ADMIN_EMAIL / ADMIN_PASSWORD)`);
  const deadline = Date.now() + SETTLE_S * 1000;
  let audit = readAudit(token);
  while (audit !== null && !(audit.ok && audit.inFlight.length === 0) && Date.now() < deadline) {
    sleep(1);
    audit = readAudit(token);
  }
  if (audit === null) return failRun('GET /api/admin/ledger/audit did not answer 200');
  console.log(`ledger audit: ${audit.ok ? 'clean' : 'NOT CLEAN'}: ${audit.wallets} wallets, ${audit.orders} orders, drift ${audit.totals.driftMinor} cents, in flight ${audit.totals.inFlightMinor} cents`);
  if (!audit.ok) {
    const kinds = audit.anomalies.map((anomaly) => anomaly.kind).join(', ');
    return failRun(`drift ${audit.totals.driftMinor} cents, ${audit.anomalies.length} anomalies (${kinds})`, Math.max(1, audit.anomalies.length));
  }
}
