/**
 * What the proofs in this folder share: reading states and journals of a real marketplace
 * (runtime/testing/marketplace.ts), waiting until it is quiet, and turning the ledger audit and
 * the wallet journals into lists of broken facts. Checks return lists of problems instead of
 * throwing at the first one, so a failing run (and its seed) shows everything that went wrong.
 */
import type { CheckoutState } from '../../actors/checkout/checkout-messages.ts';
import type { OrderState } from '../../actors/order/order-messages.ts';
import type { SellerState } from '../../actors/seller/seller-messages.ts';
import type { WalletEvent, WalletState } from '../../actors/wallet/wallet.ts';
import { auditLedger, type LedgerAudit } from '../../persistence/projections/readmodels/audit.ts';
import type { Journal, JournalEntry } from '../../persistence/adapters/journal.ts';
import type { Failure } from '../../runtime/ask.ts';
import type { Inspection } from '../../runtime/entity.ts';
import type { Marketplace } from '../../gateway/testing/marketplace.ts';
import { checkoutKey, orderKey, sellerKey, walletKey } from '../../actors/keys.ts';

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;

/** Entries read per page when a proof reads a whole stream. */
const pageSize = 1_000;

function stateOf<S>(key: string, result: Inspection<S> | Failure): S {
  if (!result.ok) throw new Error(`inspect ${key} failed: ${result.code}: ${result.message}`);
  return result.state;
}

export async function walletState(market: Marketplace, userId: string): Promise<WalletState> {
  return stateOf(walletKey(userId), await market.system.wallets.inspect(userId));
}
export async function orderState(market: Marketplace, orderId: string): Promise<OrderState> {
  return stateOf(orderKey(orderId), await market.system.orders.inspect(orderId));
}
export async function sellerState(market: Marketplace, sellerId: string): Promise<SellerState> {
  return stateOf(sellerKey(sellerId), await market.system.sellers.inspect(sellerId));
}
export async function checkoutState(market: Marketplace, checkoutId: string): Promise<CheckoutState> {
  return stateOf(checkoutKey(checkoutId), await market.system.checkouts.inspect(checkoutId));
}

/** Every entry of one stream, in seq order. */
export async function readStream<E>(journal: Journal, key: string): Promise<JournalEntry<E>[]> {
  const entries: JournalEntry<E>[] = [];
  for (;;) {
    const page = await journal.read<E>(key, entries.at(-1)?.seq ?? 0, pageSize);
    entries.push(...page);
    if (page.length < pageSize) return entries;
  }
}

/**
 * Settles until no saga step is in flight or queued and every resident mailbox is empty, then
 * drains the event processor and reloads the timer window. `market.settle()` gives up after 50
 * short rounds; after a burst of hundreds of sagas that is not always quiet yet, so this repeats
 * it (bounded) and fails loudly rather than checking a half-finished system.
 */
export async function settleFully(market: Marketplace, what: string, roundsMax = 200): Promise<void> {
  for (let round = 0; round < roundsMax; round += 1) {
    await market.settle();
    const stats = market.system.runtime.sagaStats();
    const busyMailboxes = market.system.runtime.list().filter((resident) => resident.mailboxDepth > 0).length;
    if (stats.effectsInFlight === 0 && stats.effectsQueued === 0 && busyMailboxes === 0) {
      await market.system.processor.drain();
      await market.system.timers.refresh();
      return;
    }
  }
  const stats = market.system.runtime.sagaStats();
  throw new Error(`${what}: the marketplace did not settle (${stats.effectsInFlight} saga steps in flight, ${stats.effectsQueued} queued)`);
}

/** The audit's broken facts, each as one line; empty when the ledger balances. */
export function auditProblems(audit: LedgerAudit, options: { readonly quiet: boolean }): string[] {
  const problems: string[] = [];
  if (audit.totals.driftMinor !== '0') problems.push(`ledger drift ${audit.totals.driftMinor} cents (${JSON.stringify(audit.totals)})`);
  for (const anomaly of audit.anomalies.slice(0, 20)) problems.push(`audit anomaly ${JSON.stringify(anomaly)}`);
  if (audit.truncated !== null) problems.push(`audit lists were cut: ${JSON.stringify(audit.truncated)}`);
  // On a quiet system every saga has finished its money steps, so nothing is between wallets.
  if (options.quiet && audit.totals.inFlightMinor !== '0') {
    problems.push(`${audit.totals.inFlightMinor} cents still in flight on a quiet system: ${JSON.stringify(audit.inFlight.slice(0, 10))}`);
  }
  if (!audit.ok && problems.length === 0) problems.push(`audit not ok: ${JSON.stringify(audit)}`);
  return problems;
}

export async function auditJournal(market: Marketplace): Promise<LedgerAudit> {
  return auditLedger(market.system.stores.journal);
}

/** What the wallet journals say happened to one order's money, as counts and amounts. */
export interface OrderMoney {
  debited: number;
  debitedMinor: number;
  credited: number;
  creditedMinor: number;
  released: number;
  feeTakenMinor: number;
  voided: number;
  refunded: number;
  refundedMinor: number;
  feeCredited: number;
  feeCreditedMinor: number;
  /** The wallets that debited (the buyer) and credited (the seller) it. */
  buyerWallet: string | null;
  sellerWallet: string | null;
}

export function emptyMoney(): OrderMoney {
  return {
    debited: 0, debitedMinor: 0, credited: 0, creditedMinor: 0, released: 0, feeTakenMinor: 0,
    voided: 0, refunded: 0, refundedMinor: 0, feeCredited: 0, feeCreditedMinor: 0, buyerWallet: null, sellerWallet: null,
  };
}

/** Reads every wallet stream and tallies each order's money events, independently of the audit. */
export async function moneyByOrder(journal: Journal): Promise<Map<string, OrderMoney>> {
  const byOrder = new Map<string, OrderMoney>();
  const money = (orderId: string) => {
    const found = byOrder.get(orderId) ?? emptyMoney();
    byOrder.set(orderId, found);
    return found;
  };
  for (const key of await journal.keys('wallet:')) {
    const walletId = key.slice('wallet:'.length);
    for (const entry of await readStream<WalletEvent>(journal, key)) {
      for (const event of entry.events) tallyMoney(event, walletId, money);
    }
  }
  return byOrder;
}

function tallyMoney(event: WalletEvent, walletId: string, money: (orderId: string) => OrderMoney): void {
  switch (event.type) {
    case 'DebitedForOrder': {
      const order = money(event.orderId);
      order.debited += 1;
      order.debitedMinor += event.amountMinor;
      order.buyerWallet = walletId;
      return;
    }
    case 'PendingCredited': {
      const order = money(event.orderId);
      order.credited += 1;
      order.creditedMinor += event.amountMinor;
      order.sellerWallet = walletId;
      return;
    }
    case 'PendingReleased': {
      const order = money(event.orderId);
      order.released += 1;
      order.feeTakenMinor += event.feeMinor;
      return;
    }
    case 'PendingVoided':
      money(event.orderId).voided += 1;
      return;
    case 'OrderRefunded': {
      const order = money(event.orderId);
      order.refunded += 1;
      order.refundedMinor += event.amountMinor;
      return;
    }
    case 'FeeCredited': {
      const order = money(event.orderId);
      order.feeCredited += 1;
      order.feeCreditedMinor += event.amountMinor;
      return;
    }
    default:
      // Deposits, withdrawals and bookkeeping events (fences) move no order money.
      return;
  }
}

/** "No order is paid, released or refunded twice", read from the wallet journals. */
export function repeatedMoneySteps(byOrder: ReadonlyMap<string, OrderMoney>): string[] {
  const problems: string[] = [];
  for (const [orderId, money] of byOrder) {
    for (const step of ['debited', 'credited', 'released', 'voided', 'refunded', 'feeCredited'] as const) {
      if (money[step] > 1) problems.push(`order ${orderId}: ${step} ${money[step]} times in the wallet journals`);
    }
    if (money.released > 0 && money.voided > 0) problems.push(`order ${orderId}: its pending funds were both released and voided`);
    if (money.released > 0 && money.refunded > 0) problems.push(`order ${orderId}: both released to the seller and refunded to the buyer`);
  }
  return problems;
}

/** Wallet states as the actors hold them: no balance or locked amount below zero. */
export function negativeWallets(wallets: ReadonlyMap<string, WalletState>): string[] {
  const problems: string[] = [];
  for (const [walletId, wallet] of wallets) {
    if (wallet.balanceMinor < 0) problems.push(`wallet ${walletId}: balance ${wallet.balanceMinor}`);
    if (wallet.lockedMinor < 0) problems.push(`wallet ${walletId}: locked ${wallet.lockedMinor}`);
  }
  return problems;
}

/** Inspects every wallet the journal knows (the platform's included). */
export async function allWallets(market: Marketplace): Promise<Map<string, WalletState>> {
  const keys = await market.system.stores.journal.keys('wallet:');
  const ids = keys.map((key) => key.slice('wallet:'.length));
  const states = await Promise.all(ids.map((id) => walletState(market, id)));
  return new Map(ids.map((id, index) => [id, states[index] as WalletState]));
}

/** Pending (unfired, uncancelled) timers from the durable index, by target key. */
export async function pendingTimersByKey(market: Marketplace): Promise<Map<string, Map<string, number>>> {
  const rows = await market.system.stores.db.query<{ id: string; target_key: string; due_at: number }>(
    // The daily analytics job (issue #6) always keeps its next run pending; the proofs are about
    // the timers of orders and checkouts.
    `SELECT id, target_key, due_at FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND target_key NOT LIKE 'analytics:%'`,
  );
  const byKey = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const timers = byKey.get(row.target_key) ?? new Map<string, number>();
    timers.set(row.id.slice(row.target_key.length + 1), Number(row.due_at));
    byKey.set(row.target_key, timers);
  }
  return byKey;
}

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Counts of each value, as a compact text such as `PAID=3 FAILED=2`, sorted by name. */
export function tally(values: Iterable<string>): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort(([left], [right]) => (left < right ? -1 : 1)).map(([name, count]) => `${name}=${count}`).join(' ');
}
