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
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import type { WalletEvent } from '../../../actors/wallet/wallet.ts';
import { assertNever } from '../../../actors/decider.ts';
import type { Journal, JournalEntry } from '../../adapters/journal.ts';
import type { AuditOptions, AuditedOrderStatus, LedgerAnomaly, LedgerAudit, MoneyStep, OrderMoney } from './audit-report.ts';
import { defaultMaxListed, defaultPageSize, isFinished, report } from './audit-report.ts';
import { walletPrefix } from './streams.ts';
import { idOfKey, orderKey } from '../../../actors/keys.ts';

export type { AuditedOrderStatus, AuditOptions, LedgerAnomaly, LedgerAudit, LedgerTotals, MinorText, MoneyStep } from './audit-report.ts';
export { isFinished } from './audit-report.ts';
export { auditReadModels, type ReadModelAuditOptions } from './audit-readmodels.ts';

// ---------------------------------------------------------------------------------------------
// The journal audit

interface WalletTally {
  balance: bigint;
  locked: bigint;
  negativeBalanceReported: boolean;
  negativeLockedReported: boolean;
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
    tally.wallets.set(idOfKey('wallet', key), wallet);
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
  const walletId = idOfKey('wallet', entry.key);
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
  for await (const entry of streamEntries<OrderEvent>(journal, orderKey(orderId), options)) {
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

