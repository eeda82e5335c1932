/**
 * The ledger audit (DESIGN.md §3): the sum over all wallets of balance + locked, plus money in
 * flight in unfinished sagas, equals deposits minus withdrawals; no balance is ever negative;
 * no order is paid, credited, released, refunded or voided twice.
 *
 * `auditLedger(journal)` computes it from the journal, the source of truth. `auditReadModels(db)`
 * computes the same totals from the read models and, given the journal's audit, compares them:
 * a difference there is a projection bug, not lost money.
 *
 * Money in flight of one order = debited − refunded − pending credited + voided
 *                               + fees taken on release − fees credited.
 * It is positive while a saga is between steps (the buyer paid, the seller is not credited yet;
 * the fee left the seller, the platform has not got it yet) and must be 0 once the order is
 * COMPLETED, CANCELLED or FAILED. Money in flight of a finished order (or of an order id no order
 * stream knows) is *stranded*: lost to every wallet. The totals count it apart, so
 *   drift = deposits − withdrawals − (Σ balance + Σ locked + Σ in flight of unfinished orders)
 * equals the stranded money, and `ok` holds iff drift is 0 and there is no anomaly.
 *
 * JSON safety: every amount in a report is a decimal string of minor units, because sums over
 * many wallets can pass 2^53 (they are computed as BigInt). Counts and seqs are numbers.
 */
import type { OrderEvent, OrderStatus } from '../../actors/order/order-messages.ts';
import type { WalletEvent } from '../../actors/wallet/wallet.ts';
import { assertNever } from '../../runtime/decider.ts';
import type { Db } from '../db.ts';
import type { Journal, JournalEntry } from '../journal.ts';
import { bigintOf } from './sql.ts';
import { orderPrefix, walletPrefix } from './streams.ts';

/** Minor units as a decimal string (see the header). */
export type MinorText = string;

export type MoneyStep = 'debited' | 'credited' | 'released' | 'refunded' | 'voided' | 'fee_credited';
const moneySteps: readonly MoneyStep[] = ['debited', 'credited', 'released', 'refunded', 'voided', 'fee_credited'];

export type AuditedOrderStatus = OrderStatus | 'UNKNOWN';

export type LedgerAnomaly =
  /** The balance went below 0; `seq` is the first entry that took it there (null: read models). */
  | { readonly kind: 'negative_balance'; readonly walletId: string; readonly seq: number | null; readonly balanceMinor: MinorText }
  | { readonly kind: 'negative_locked'; readonly walletId: string; readonly seq: number | null; readonly lockedMinor: MinorText }
  | { readonly kind: 'negative_in_flight'; readonly orderId: string; readonly orderStatus: AuditedOrderStatus; readonly inFlightMinor: MinorText }
  | { readonly kind: 'stranded_in_flight'; readonly orderId: string; readonly orderStatus: AuditedOrderStatus; readonly inFlightMinor: MinorText }
  | { readonly kind: 'repeated_money_step'; readonly orderId: string; readonly step: MoneyStep; readonly count: number }
  | { readonly kind: 'unknown_event'; readonly key: string; readonly seq: number; readonly eventType: string }
  | { readonly kind: 'invalid_amount'; readonly key: string; readonly seq: number; readonly eventType: string }
  /** auditReadModels only: a wallet row disagrees with the sum of its ledger lines. */
  | {
      readonly kind: 'ledger_mismatch';
      readonly walletId: string;
      readonly balanceMinor: MinorText;
      readonly ledgerBalanceMinor: MinorText;
      readonly lockedMinor: MinorText;
      readonly ledgerLockedMinor: MinorText;
    }
  /** auditReadModels only: a read-model total differs from the journal's. */
  | { readonly kind: 'totals_mismatch'; readonly total: keyof LedgerTotals; readonly readModelMinor: MinorText; readonly journalMinor: MinorText };

export interface LedgerTotals {
  readonly depositsMinor: MinorText;
  readonly withdrawalsMinor: MinorText;
  readonly balanceMinor: MinorText;
  readonly lockedMinor: MinorText;
  /** Money in flight in unfinished orders. */
  readonly inFlightMinor: MinorText;
  /** Money in flight in finished or unknown orders. */
  readonly strandedMinor: MinorText;
  readonly driftMinor: MinorText;
}

export interface LedgerAudit {
  readonly ok: boolean;
  readonly source: 'journal' | 'read_models';
  /** The journal audit's cut-off (AuditOptions.asOfMs), or null for everything. */
  readonly asOfMs: number | null;
  readonly wallets: number;
  /** Orders that moved money. */
  readonly orders: number;
  readonly totals: LedgerTotals;
  /** Unfinished orders holding money in flight, at most `maxListed`. */
  readonly inFlight: readonly { readonly orderId: string; readonly orderStatus: AuditedOrderStatus; readonly inFlightMinor: MinorText }[];
  readonly anomalies: readonly LedgerAnomaly[];
  /** Set when a list was cut at `maxListed`: how many items there were in all. */
  readonly truncated: { readonly inFlight: number; readonly anomalies: number } | null;
}

export interface AuditOptions {
  /**
   * Audit the journal as of this time (epoch ms): each stream is read up to its first entry
   * journaled later. Pass the clock's now when auditing a live system. Streams are read one
   * after the other, so without a cut-off a saga step journaled between two reads can show as
   * money in flight that is negative; with it, every step counted was caused by steps at or
   * before the cut-off, and those were journaled before the audit began.
   */
  readonly asOfMs?: number;
  /** Entries read per page. */
  readonly pageSize?: number;
  /** Longest list in a report; the rest is counted in `truncated`. */
  readonly maxListed?: number;
}

const defaultPageSize = 1_000;
const defaultMaxListed = 1_000;

// ---------------------------------------------------------------------------------------------
// The journal audit

interface WalletTally {
  balance: bigint;
  locked: bigint;
  negativeBalanceReported: boolean;
  negativeLockedReported: boolean;
}

interface OrderMoney {
  inFlight: bigint;
  readonly counts: Record<MoneyStep, number>;
}

interface JournalTally {
  deposits: bigint;
  withdrawals: bigint;
  readonly wallets: Map<string, WalletTally>;
  readonly orders: Map<string, OrderMoney>;
  readonly anomalies: LedgerAnomaly[];
}

export async function auditLedger(journal: Journal, options: AuditOptions = {}): Promise<LedgerAudit> {
  const tally: JournalTally = { deposits: 0n, withdrawals: 0n, wallets: new Map(), orders: new Map(), anomalies: [] };
  for (const key of await journal.keys(walletPrefix)) {
    const wallet: WalletTally = { balance: 0n, locked: 0n, negativeBalanceReported: false, negativeLockedReported: false };
    tally.wallets.set(key.slice(walletPrefix.length), wallet);
    for await (const entry of streamEntries<WalletEvent>(journal, key, options)) tallyWalletEntry(tally, wallet, entry);
  }
  // An order's status matters only while it holds money (finished means stranded), so only
  // those orders' streams are read: most orders are settled, and this saves a read each.
  const statuses = new Map<string, AuditedOrderStatus>();
  for (const [orderId, money] of tally.orders) {
    if (money.inFlight !== 0n) statuses.set(orderId, await orderStatus(journal, orderId, options));
  }
  let balance = 0n;
  let locked = 0n;
  for (const wallet of tally.wallets.values()) {
    balance += wallet.balance;
    locked += wallet.locked;
  }
  const orders = [...tally.orders].map(([orderId, money]) => ({ orderId, orderStatus: statuses.get(orderId) ?? 'UNKNOWN', ...money }));
  return report({
    source: 'journal',
    asOfMs: options.asOfMs ?? null,
    wallets: tally.wallets.size,
    sums: { deposits: tally.deposits, withdrawals: tally.withdrawals, balance, locked },
    orders,
    anomalies: tally.anomalies,
    maxListed: options.maxListed ?? defaultMaxListed,
  });
}

/** One stream's entries in seq order, up to the first one after `asOfMs`. */
async function* streamEntries<E>(journal: Journal, key: string, options: AuditOptions): AsyncGenerator<JournalEntry<E>> {
  const pageSize = options.pageSize ?? defaultPageSize;
  let afterSeq = 0;
  for (;;) {
    const page = await journal.read<E>(key, afterSeq, pageSize);
    for (const entry of page) {
      if (options.asOfMs !== undefined && entry.at > options.asOfMs) return;
      yield entry;
    }
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return;
    afterSeq = last.seq;
  }
}

/** Every wallet event type; a Record so that a new type breaks the build here until it is audited. */
const walletEventTypes: Readonly<Record<WalletEvent['type'], true>> = {
  Deposited: true,
  Withdrawn: true,
  DebitedForOrder: true,
  PendingCredited: true,
  PendingReleased: true,
  PendingVoided: true,
  OrderRefunded: true,
  FeeCredited: true,
  OrderFenced: true,
};

function tallyWalletEntry(tally: JournalTally, wallet: WalletTally, entry: JournalEntry<WalletEvent>): void {
  const walletId = entry.key.slice(walletPrefix.length);
  for (const event of entry.events) {
    // The journal may hold what other code wrote: the audit reports it instead of stopping.
    if (!Object.hasOwn(walletEventTypes, event.type)) {
      tally.anomalies.push({ kind: 'unknown_event', key: entry.key, seq: entry.seq, eventType: String(event.type) });
      continue;
    }
    if (!hasWholeAmounts(event)) {
      tally.anomalies.push({ kind: 'invalid_amount', key: entry.key, seq: entry.seq, eventType: String(event.type) });
      continue;
    }
    tallyWalletEvent(tally, wallet, event);
    if (wallet.balance < 0n && !wallet.negativeBalanceReported) {
      wallet.negativeBalanceReported = true;
      tally.anomalies.push({ kind: 'negative_balance', walletId, seq: entry.seq, balanceMinor: String(wallet.balance) });
    }
    if (wallet.locked < 0n && !wallet.negativeLockedReported) {
      wallet.negativeLockedReported = true;
      tally.anomalies.push({ kind: 'negative_locked', walletId, seq: entry.seq, lockedMinor: String(wallet.locked) });
    }
  }
}

/** Amounts the journal holds are whole, non-negative cents; anything else is reported, not summed. */
function hasWholeAmounts(event: WalletEvent): boolean {
  const whole = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  switch (event.type) {
    case 'OrderFenced':
      return true;
    case 'PendingReleased':
      return whole(event.amountMinor) && whole(event.feeMinor);
    default:
      return whole(event.amountMinor);
  }
}

function tallyWalletEvent(tally: JournalTally, wallet: WalletTally, event: WalletEvent): void {
  if (event.type === 'OrderFenced') return; // An undo that found nothing: no money moved.
  const amount = BigInt(event.amountMinor);
  switch (event.type) {
    case 'Deposited':
      tally.deposits += amount;
      wallet.balance += amount;
      return;
    case 'Withdrawn':
      tally.withdrawals += amount;
      wallet.balance -= amount;
      return;
    case 'DebitedForOrder':
      wallet.balance -= amount;
      return moveInFlight(tally, event.orderId, 'debited', amount);
    case 'OrderRefunded':
      wallet.balance += amount;
      return moveInFlight(tally, event.orderId, 'refunded', -amount);
    case 'PendingCredited':
      wallet.locked += amount;
      return moveInFlight(tally, event.orderId, 'credited', -amount);
    case 'PendingReleased': {
      const fee = BigInt(event.feeMinor);
      wallet.locked -= amount;
      wallet.balance += amount - fee;
      return moveInFlight(tally, event.orderId, 'released', fee);
    }
    case 'PendingVoided':
      wallet.locked -= amount;
      return moveInFlight(tally, event.orderId, 'voided', amount);
    case 'FeeCredited':
      wallet.balance += amount;
      return moveInFlight(tally, event.orderId, 'fee_credited', -amount);
    default:
      assertNever(event);
  }
}

function moveInFlight(tally: JournalTally, orderId: string, step: MoneyStep, delta: bigint): void {
  let money = tally.orders.get(orderId);
  if (money === undefined) {
    money = { inFlight: 0n, counts: { debited: 0, credited: 0, released: 0, refunded: 0, voided: 0, fee_credited: 0 } };
    tally.orders.set(orderId, money);
  }
  money.inFlight += delta;
  money.counts[step] += 1;
}

/** The order's status from its own stream (as of the cut-off), or UNKNOWN when it has none. */
async function orderStatus(journal: Journal, orderId: string, options: AuditOptions): Promise<AuditedOrderStatus> {
  let status: AuditedOrderStatus = 'UNKNOWN';
  for await (const entry of streamEntries<OrderEvent>(journal, `${orderPrefix}${orderId}`, options)) {
    for (const event of entry.events) status = statusAfter(status, event);
  }
  return status;
}

function statusAfter(status: AuditedOrderStatus, event: OrderEvent): AuditedOrderStatus {
  switch (event.type) {
    case 'OrderPlaced':
      return 'PLACED';
    case 'OrderPaid':
      return 'PAID';
    case 'OrderFailed':
      return 'FAILED';
    case 'OrderShipped':
      return 'SHIPPED';
    case 'DeliveryConfirmed':
      return 'DELIVERED';
    case 'OrderCompleted':
      return 'COMPLETED';
    case 'OrderCancelled':
      return 'CANCELLED';
    case 'DisputeOpened':
      return 'DISPUTED';
    default:
      return status;
  }
}

// ---------------------------------------------------------------------------------------------
// The report, shared by both audits

export function isFinished(status: AuditedOrderStatus): boolean {
  return status === 'COMPLETED' || status === 'CANCELLED' || status === 'FAILED' || status === 'UNKNOWN';
}

interface ReportInput {
  readonly source: LedgerAudit['source'];
  readonly asOfMs: number | null;
  readonly wallets: number;
  readonly sums: { readonly deposits: bigint; readonly withdrawals: bigint; readonly balance: bigint; readonly locked: bigint };
  readonly orders: readonly (OrderMoney & { readonly orderId: string; readonly orderStatus: AuditedOrderStatus })[];
  readonly anomalies: readonly LedgerAnomaly[];
  readonly maxListed: number;
}

function report(input: ReportInput): LedgerAudit {
  const { sums } = input;
  const anomalies = [...input.anomalies];
  const inFlight: LedgerAudit['inFlight'][number][] = [];
  let inFlightTotal = 0n;
  let strandedTotal = 0n;
  const orders = [...input.orders].sort((left, right) => (left.orderId < right.orderId ? -1 : left.orderId > right.orderId ? 1 : 0));
  for (const order of orders) {
    const item = { orderId: order.orderId, orderStatus: order.orderStatus, inFlightMinor: String(order.inFlight) };
    if (order.inFlight < 0n) anomalies.push({ kind: 'negative_in_flight', ...item });
    if (isFinished(order.orderStatus)) {
      strandedTotal += order.inFlight;
      if (order.inFlight > 0n) anomalies.push({ kind: 'stranded_in_flight', ...item });
    } else {
      inFlightTotal += order.inFlight;
      if (order.inFlight !== 0n) inFlight.push(item);
    }
    for (const step of moneySteps) {
      const count = order.counts[step];
      if (count > 1) anomalies.push({ kind: 'repeated_money_step', orderId: order.orderId, step, count });
    }
  }
  const drift = sums.deposits - sums.withdrawals - (sums.balance + sums.locked + inFlightTotal);
  const cut = inFlight.length > input.maxListed || anomalies.length > input.maxListed;
  return {
    ok: drift === 0n && anomalies.length === 0,
    source: input.source,
    asOfMs: input.asOfMs,
    wallets: input.wallets,
    orders: input.orders.length,
    totals: {
      depositsMinor: String(sums.deposits),
      withdrawalsMinor: String(sums.withdrawals),
      balanceMinor: String(sums.balance),
      lockedMinor: String(sums.locked),
      inFlightMinor: String(inFlightTotal),
      strandedMinor: String(strandedTotal),
      driftMinor: String(drift),
    },
    inFlight: inFlight.slice(0, input.maxListed),
    anomalies: anomalies.slice(0, input.maxListed),
    truncated: cut ? { inFlight: inFlight.length, anomalies: anomalies.length } : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The read-model audit

export interface ReadModelAuditOptions {
  /** The journal's audit to compare totals with; without it the read models are judged alone. */
  readonly journalAudit?: LedgerAudit;
  readonly maxListed?: number;
}

/**
 * Audits the `wallets` and `ledger_entries` tables: each wallet row must equal the sum of its
 * lines (wallets.ts states the identity), the totals must balance as in the journal audit, and,
 * given `journalAudit`, every total must equal the journal's. Read it on a quiet system (or
 * after a rebuild): the event processor may be mid-way through the journal.
 *
 * Repeats are counted from lines, so a second release or void of one pending credit (which
 * settles the same line again) and a repeated zero fee (which writes no line) show in the
 * journal audit only; their money shows in both.
 */
export async function auditReadModels(db: Db, options: ReadModelAuditOptions = {}): Promise<LedgerAudit> {
  const maxListed = options.maxListed ?? defaultMaxListed;
  const sums = await walletSums(db);
  const anomalies: LedgerAnomaly[] = [...(await negativeWallets(db, maxListed)), ...(await ledgerMismatches(db, maxListed))];
  const orders = await ordersInFlight(db);
  const audit = report({ source: 'read_models', asOfMs: null, wallets: sums.wallets, sums, orders, anomalies, maxListed });
  const reference = options.journalAudit;
  if (reference === undefined) return audit;
  const mismatches: LedgerAnomaly[] = [];
  for (const total of Object.keys(audit.totals) as (keyof LedgerTotals)[]) {
    if (audit.totals[total] !== reference.totals[total]) {
      mismatches.push({ kind: 'totals_mismatch', total, readModelMinor: audit.totals[total], journalMinor: reference.totals[total] });
    }
  }
  if (mismatches.length === 0) return audit;
  return { ...audit, ok: false, anomalies: [...mismatches, ...audit.anomalies].slice(0, maxListed) };
}

async function walletSums(db: Db) {
  const rows = await db.query<{ wallets: number; deposits: string; withdrawals: string; balance: string; locked: string }>(
    `SELECT count(*)::integer AS wallets,
            coalesce(sum(deposited_total), 0)::text AS deposits,
            coalesce(sum(withdrawn_total), 0)::text AS withdrawals,
            coalesce(sum(balance), 0)::text AS balance,
            coalesce(sum(locked_balance), 0)::text AS locked
     FROM wallets`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error('an aggregate query returned no row');
  return {
    wallets: row.wallets,
    deposits: bigintOf(row.deposits),
    withdrawals: bigintOf(row.withdrawals),
    balance: bigintOf(row.balance),
    locked: bigintOf(row.locked),
  };
}

async function negativeWallets(db: Db, maxListed: number): Promise<LedgerAnomaly[]> {
  const rows = await db.query<{ id: string; balance: number; locked_balance: number }>(
    'SELECT id, balance, locked_balance FROM wallets WHERE balance < 0 OR locked_balance < 0 ORDER BY id LIMIT $1',
    [maxListed],
  );
  return rows.flatMap((row): LedgerAnomaly[] => [
    ...(row.balance < 0 ? [{ kind: 'negative_balance' as const, walletId: row.id, seq: null, balanceMinor: String(row.balance) }] : []),
    ...(row.locked_balance < 0 ? [{ kind: 'negative_locked' as const, walletId: row.id, seq: null, lockedMinor: String(row.locked_balance) }] : []),
  ]);
}

/** Wallets whose row disagrees with their lines, including lines of a wallet with no row. */
async function ledgerMismatches(db: Db, maxListed: number): Promise<LedgerAnomaly[]> {
  const rows = await db.query<{ id: string; balance: string; locked: string; ledger_balance: string; ledger_locked: string }>(
    `WITH lines AS (
       SELECT wallet_id,
              sum(CASE WHEN type = 'DEBIT' THEN -amount
                       WHEN status IN ('COMPLETED', 'RELEASED') THEN amount ELSE 0 END) AS balance,
              sum(CASE WHEN type = 'CREDIT' AND status = 'LOCKED' THEN amount ELSE 0 END) AS locked
       FROM ledger_entries GROUP BY wallet_id)
     SELECT coalesce(w.id, l.wallet_id) AS id,
            coalesce(w.balance, 0)::text AS balance, coalesce(w.locked_balance, 0)::text AS locked,
            coalesce(l.balance, 0)::text AS ledger_balance, coalesce(l.locked, 0)::text AS ledger_locked
     FROM wallets w FULL JOIN lines l ON l.wallet_id = w.id
     WHERE coalesce(w.balance, 0) <> coalesce(l.balance, 0) OR coalesce(w.locked_balance, 0) <> coalesce(l.locked, 0)
     ORDER BY 1 LIMIT $1`,
    [maxListed],
  );
  return rows.map((row) => ({
    kind: 'ledger_mismatch',
    walletId: row.id,
    balanceMinor: row.balance,
    ledgerBalanceMinor: row.ledger_balance,
    lockedMinor: row.locked,
    ledgerLockedMinor: row.ledger_locked,
  }));
}

/**
 * Money in flight per order from the ledger lines, with the same formula as the journal audit:
 * a purchase line is the debit, a refund line the refund, a sale line the pending credit (a
 * VOIDED one nets to 0 with its void), a sale_fee line the fee taken, a platform_fee line the
 * fee credited. Orders are read in full (the report lists only the notable ones).
 */
async function ordersInFlight(db: Db): Promise<ReportInput['orders']> {
  const rows = await db.query<{ order_id: string; status: OrderStatus | null; in_flight: string } & Record<MoneyStep, number>>(
    `SELECT l.order_id, o.status,
            sum(CASE l.kind WHEN 'purchase' THEN l.amount
                            WHEN 'refund' THEN -l.amount
                            WHEN 'sale' THEN CASE WHEN l.status = 'VOIDED' THEN 0 ELSE -l.amount END
                            WHEN 'sale_fee' THEN l.amount
                            WHEN 'platform_fee' THEN -l.amount
                            ELSE 0 END)::text AS in_flight,
            count(*) FILTER (WHERE l.kind = 'purchase')::integer AS debited,
            count(*) FILTER (WHERE l.kind = 'sale')::integer AS credited,
            count(*) FILTER (WHERE l.kind = 'sale' AND l.status = 'RELEASED')::integer AS released,
            count(*) FILTER (WHERE l.kind = 'refund')::integer AS refunded,
            count(*) FILTER (WHERE l.kind = 'sale' AND l.status = 'VOIDED')::integer AS voided,
            count(*) FILTER (WHERE l.kind = 'platform_fee')::integer AS fee_credited
     FROM ledger_entries l LEFT JOIN orders o ON o.id = l.order_id
     WHERE l.order_id IS NOT NULL
     GROUP BY l.order_id, o.status
     ORDER BY l.order_id`,
  );
  return rows.map((row) => ({
    orderId: row.order_id,
    orderStatus: row.status ?? 'UNKNOWN',
    inFlight: bigintOf(row.in_flight),
    counts: Object.fromEntries(moneySteps.map((step) => [step, row[step]])) as Record<MoneyStep, number>,
  }));
}
