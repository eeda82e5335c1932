/**
 * What the saga crash test (saga-crash.test.ts) knows and checks: the worker's report over every
 * run of one seed, and the checks on the data dir after each kill and after the finish run. Each
 * check returns its findings; the test asserts them with its own `expect`.
 */
import { openStores, type Stores } from '../../../persistence/adapters/open-stores.ts';
import { auditLedger } from '../../../persistence/projections/readmodels/audit.ts';
import {
  checkCheckouts,
  checkOrderMoney,
  checkRetryTimers,
  checkStock,
  checkWallets,
  describeStream,
  readWorld,
  unsettledSagas,
  type World,
} from './saga-ledger.ts';
import { sagaConfig, type SagaLine } from './saga-world.ts';
import { checkoutKey, orderKey } from '../../../actors/keys.ts';

// What the worker reported, over every run of one seed

type CheckoutAck = Extract<SagaLine, { t: 'checkout' }>;
type ActionAck = Extract<SagaLine, { t: 'action' }>;

/**
 * What the runtime logs only when code is wrong: a decider's invariant, a saga step that threw,
 * an actor refusing its own step's outcome, a process manager that threw or re-lists a step it
 * just recorded. Any of these in a worker's log fails the test, whatever the journal says.
 */
const bugSignatures = [
  'invariant broken',
  'InvariantViolation',
  'saga step failed unexpectedly',
  'actor rejected the outcome of its own step',
  'process.effects threw',
  'step still pending right after its outcome was recorded',
  'after-message hook failed',
] as const;

export class Report {
  readonly checkouts = new Map<string, CheckoutAck>();
  readonly actions: ActionAck[] = [];
  /** Log lines that name a bug (bugSignatures). */
  readonly bugLogs: string[] = [];

  add(run: { readonly lines: readonly SagaLine[]; readonly stderr: string }): void {
    for (const line of run.lines) {
      // A later settling answer replaces a runtime failure's.
      if (line.t === 'checkout' && (line.ok || line.final || !this.checkouts.has(line.id))) this.checkouts.set(line.id, line);
      else if (line.t === 'action' && line.ok) this.actions.push(line);
    }
    for (const logLine of run.stderr.split('\n')) {
      if (bugSignatures.some((signature) => logLine.includes(signature))) this.bugLogs.push(logLine.slice(0, 600));
    }
  }
}

/**
 * Error-level log lines (pino level ≥ 50) of one run, by message, each with the actor and error
 * of its first occurrence, for the summary and for failure messages.
 */
export function errorLogSummary(stderr: string): string {
  const counts = new Map<string, { count: number; first: string }>();
  for (const logLine of stderr.split('\n')) {
    if (!logLine.startsWith('{')) continue;
    try {
      const { level, msg, key, err } = JSON.parse(logLine) as { level?: number; msg?: string; key?: string; err?: { message?: string } };
      if ((level ?? 0) < 50) continue;
      const seen = counts.get(msg ?? '?');
      if (seen !== undefined) seen.count += 1;
      else counts.set(msg ?? '?', { count: 1, first: [key, err?.message?.slice(0, 300)].filter(Boolean).join(': ') });
    } catch {
      // A line the kill cut short.
    }
  }
  return [...counts].map(([msg, { count, first }]) => `${count}× ${msg}${first === '' ? '' : ` (first: ${first})`}`).join('; ');
}

/** (e): each acknowledged result is in the journal. */
function checkAcknowledged(world: World, report: Report): string[] {
  const problems: string[] = [];
  for (const ack of report.checkouts.values()) {
    const checkout = world.checkouts.get(ack.id);
    if (!ack.ok) {
      if (ack.final && checkout?.status !== 'FAILED') problems.push(`${checkoutKey(ack.id)} was reported failed (${ack.code}) but is ${checkout?.status}`);
      continue;
    }
    if (checkout?.status !== 'COMPLETED') problems.push(`${checkoutKey(ack.id)} was reported successful but is ${checkout?.status}`);
    for (const orderId of ack.orderIds) {
      const order = world.orders.get(orderId);
      if (order === undefined || order.paidAt === null || order.cancelReason === 'checkout_failed') {
        problems.push(`${orderKey(orderId)} of successful checkout ${ack.id} is ${order?.status} (${order?.cancelReason ?? 'no cancellation'})`);
      }
    }
  }
  for (const { orderId, action } of report.actions) {
    const order = world.orders.get(orderId);
    const marks: Record<typeof action, boolean> = {
      ship: order?.shipped === true,
      confirm: order?.releaseReason === 'buyer_confirmed',
      'seller-cancel': order?.cancelReason === 'seller_cancelled',
      'admin-cancel': order?.cancelReason === 'admin_cancelled',
      dispute: order?.dispute !== null && order?.dispute !== undefined,
      resolve: order?.cancelReason === 'dispute_refunded' || order?.releaseReason === 'dispute_released',
    };
    if (!marks[action]) problems.push(`${orderKey(orderId)}: ${action} was accepted but left no mark (${order?.status})`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Checks on the dir, after each kill and after the finish run

export interface Verified {
  readonly orders: number;
  readonly checkouts: number;
  readonly entries: number;
  readonly inFlightOrders: number;
  readonly statuses: string;
  readonly ms: number;
}

/**
 * The journal of the sagas the problems name (their first few), with their rows in the timers
 * table: enough to see where a saga stopped and whether anything was left to wake it.
 */
async function diagnose(stores: Stores, world: World, problems: readonly string[]): Promise<string> {
  const keys = [...new Set(problems.flatMap((problem) => problem.match(/\b(?:checkout|order):[\w.-]+/g) ?? []))].slice(0, 4);
  const parts: string[] = [];
  for (const key of keys) {
    const timers = await stores.db.query<{ id: string; due_at: number; fired_at: number | null; cancelled_at: number | null }>(
      'SELECT id, due_at, fired_at, cancelled_at FROM timers WHERE target_key = $1 ORDER BY due_at',
      [key],
    );
    const timerText = timers.map((row) => `  timer ${row.id} due ${row.due_at} fired ${row.fired_at} cancelled ${row.cancelled_at}`);
    parts.push([`${key}:`, describeStream((world.entries.get(key) ?? []).slice(-60)), ...timerText].join('\n'));
  }
  return parts.join('\n');
}

function statusCounts(world: World): string {
  const counts = new Map<string, number>();
  for (const order of world.orders.values()) counts.set(order.status, (counts.get(order.status) ?? 0) + 1);
  for (const checkout of world.checkouts.values()) counts.set(`checkout ${checkout.status}`, (counts.get(`checkout ${checkout.status}`) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

/** One check's verdict: its problems (none when it holds), with the journals of the sagas they name. */
export interface Finding {
  readonly check: string;
  readonly problems: readonly string[];
}

async function finding(stores: Stores, world: World, check: string, problems: readonly string[]): Promise<Finding> {
  if (problems.length === 0) return { check, problems };
  return { check: `${check}\n${await diagnose(stores, world, problems)}`, problems: problems.slice(0, 30) };
}

/** Consumers whose saved checkpoint is short of the journal's head (the finish run drained them all). */
async function consumersBehind(stores: Stores): Promise<string[]> {
  const head = await stores.journal.headPosition();
  const rows = await stores.db.query<{ consumer: string; position: number }>(`SELECT consumer, position FROM consumer_checkpoints WHERE consumer <> '*'`);
  const behind = rows.filter((row) => Number(row.position) < head).map((row) => `consumer ${row.consumer} checkpointed ${row.position} of ${head}`);
  return head > 0 && rows.length === 0 ? ['no consumer saved a checkpoint', ...behind] : behind;
}

/** What the finish run reported: when it ended, and whether it drained the event processor. */
export interface FinishReport {
  readonly finishedAtMs: number;
  readonly drainError: string | null;
}

/**
 * Opens the dir in this process (the worker is dead or done) and runs checks (a)–(e) on the
 * journal, and (f)–(h) after the finish run; the caller asserts each finding, in order, with its
 * test's own `expect`.
 */
export async function verify(dataDir: string, report: Report, finish: FinishReport | null): Promise<{ findings: Finding[]; verified: Verified }> {
  const final = finish !== null;
  const startedAt = performance.now();
  const stores = await openStores({ dataDir, journal: { batching: false, maxBatch: 1, maxWaitMs: 0 } });
  try {
    const world = await readWorld(stores.journal);
    const audit = await auditLedger(stores.journal);
    const auditProblems = audit.ok ? [] : [`audit not ok: ${JSON.stringify(audit.totals)}`, ...audit.anomalies.map((anomaly) => JSON.stringify(anomaly))];
    const checks: [string, readonly string[]][] = [
      ['(a) audit clean (no drift, no anomaly)', auditProblems],
      ['(a) no negative wallet', checkWallets(world)],
      ['(b) order money agrees with status', checkOrderMoney(world)],
      ['(c) stock and reservations', checkStock(world, final)],
      ['(d) checkouts all or nothing', checkCheckouts(world)],
      ['(e) acknowledged results', checkAcknowledged(world, report)],
    ];
    if (finish !== null) {
      const inFlight = audit.inFlight.map((order) => `${orderKey(order.orderId)} ${order.orderStatus} holds ${order.inFlightMinor} in flight`);
      const backlog = await consumersBehind(stores);
      const drainProblems = finish.drainError === null ? [] : [`the finish run could not drain the event processor: ${finish.drainError}`];
      // (h) and (g) first: each names a cause of what (f) would only show as stalled sagas (a
      // stuck event processor stops indexing timers; a wake-up armed too far ahead comes late).
      checks.push(
        ['(h) the event processor drained the journal', [...drainProblems, ...backlog]],
        ['(g) wake-up timers honour STEP_RETRY_AFTER', checkRetryTimers(world, sagaConfig(dataDir).orders.stepRetryMs)],
        ['(f) every saga finished after the finish run', unsettledSagas(world, finish.finishedAtMs)],
        ['(f) no money in flight after the finish run', audit.totals.inFlightMinor === '0' ? inFlight : [`${audit.totals.inFlightMinor} in flight`, ...inFlight]],
      );
    }
    const findings: Finding[] = [];
    for (const [check, problems] of checks) findings.push(await finding(stores, world, check, problems));
    let entries = 0;
    for (const list of world.entries.values()) entries += list.length;
    const verified: Verified = {
      orders: world.orders.size,
      checkouts: world.checkouts.size,
      entries,
      inFlightOrders: audit.inFlight.length,
      statuses: statusCounts(world),
      ms: Math.round(performance.now() - startedAt),
    };
    return { findings, verified };
  } finally {
    await stores.close();
  }
}
