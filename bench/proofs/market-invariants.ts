/**
 * The facts a quiet marketplace must satisfy, checked from four independent sources: the
 * actors' states (inspect), the wallet journals, the durable timers table and the ledger audit,
 * plus the simulation's own record of what it deposited and withdrew. Each check returns the
 * broken facts as lines; an empty list means the marketplace is sound.
 *
 * "Quiet" means no saga step is in flight and every due timer has fired (settleFully after a
 * timer tick): then no order may be between statuses, and no money between wallets.
 */
import type { CheckoutState } from '../../actors/checkout/checkout-messages.ts';
import type { OrderState } from '../../actors/order/order-messages.ts';
import type { SellerState } from '../../actors/seller/seller-messages.ts';
import type { WalletState } from '../../actors/wallet/wallet.ts';
import type { LedgerAudit } from '../../persistence/projections/readmodels/audit.ts';
import { auditProblems, emptyMoney, negativeWallets, repeatedMoneySteps, sum, type OrderMoney } from './proof-kit.ts';
import { checkoutKey, orderKey } from '../../actors/keys.ts';

export interface MarketSnapshot {
  readonly now: number;
  readonly shipByMs: number;
  readonly releaseAfterMs: number;
  readonly checkouts: ReadonlyMap<string, CheckoutState>;
  readonly orders: ReadonlyMap<string, OrderState>;
  readonly sellers: ReadonlyMap<string, SellerState>;
  readonly wallets: ReadonlyMap<string, WalletState>;
  readonly money: ReadonlyMap<string, OrderMoney>;
  /** Pending timers in the durable index: target key → timer id → due time. */
  readonly timers: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly audit: LedgerAudit;
}

/** What the simulation itself knows: accepted deposits and withdrawals, initial stock. */
export interface MarketModel {
  readonly depositedMinor: ReadonlyMap<string, number>;
  readonly withdrawnMinor: ReadonlyMap<string, number>;
  /** `${sellerId}/${productId}` → stock at creation. */
  readonly initialStock: ReadonlyMap<string, number>;
}

/** Statuses in which the buyer's money sits locked with the seller, waiting for a person or a timer. */
export const heldStatuses: ReadonlySet<string> = new Set(['PAID', 'SHIPPED', 'DISPUTED']);
export const terminalStatuses: ReadonlySet<string> = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);
const placingSteps: ReadonlySet<string> = new Set(['reserve_stock', 'debit_buyer', 'credit_seller']);

export function checkQuietMarket(snapshot: MarketSnapshot, model: MarketModel): string[] {
  return [
    ...auditProblems(snapshot.audit, { quiet: true }),
    ...repeatedMoneySteps(snapshot.money),
    ...negativeWallets(snapshot.wallets),
    ...walletTotalsAgainstAudit(snapshot),
    ...[...snapshot.orders.values()].flatMap((order) => checkOrder(snapshot, order)),
    ...[...snapshot.checkouts.values()].flatMap((checkout) => checkCheckout(snapshot, checkout)),
    ...checkStock(snapshot, model),
    ...checkWalletModel(snapshot, model),
    ...strayMoney(snapshot),
  ];
}

/** The live wallet states and the journal audit are two readings of the same money. */
function walletTotalsAgainstAudit(snapshot: MarketSnapshot): string[] {
  const balance = sum([...snapshot.wallets.values()].map((wallet) => wallet.balanceMinor));
  const locked = sum([...snapshot.wallets.values()].map((wallet) => wallet.lockedMinor));
  const problems: string[] = [];
  if (String(balance) !== snapshot.audit.totals.balanceMinor) {
    problems.push(`wallet actors hold ${balance} cents of balance, the journal audit ${snapshot.audit.totals.balanceMinor}`);
  }
  if (String(locked) !== snapshot.audit.totals.lockedMinor) {
    problems.push(`wallet actors hold ${locked} cents locked, the journal audit ${snapshot.audit.totals.lockedMinor}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Orders

export function checkOrder(snapshot: MarketSnapshot, order: OrderState): string[] {
  const where = `order ${order.orderId || '(never placed)'} [${order.status}]`;
  const problems = [...orderShape(order), ...orderSteps(order), ...orderTimers(snapshot, order), ...orderMoney(snapshot, order)];
  return problems.map((problem) => `${where}: ${problem}`);
}

function orderShape(order: OrderState): string[] {
  const problems: string[] = [];
  if (order.saga !== null) problems.push(`saga ${order.saga} still running on a quiet system`);
  // The checkout gate: nobody ships or disputes an order whose checkout may still fail.
  if ((order.shipped || order.dispute !== null) && !order.checkoutConfirmed) problems.push('shipped or disputed before its checkout confirmed it');
  // The same gate for the people's cancels: the buyer and the seller wait for it too.
  const cancelledByPerson = order.cancelReason === 'buyer_cancelled' || order.cancelReason === 'seller_cancelled';
  if (cancelledByPerson && !order.checkoutConfirmed) problems.push(`${order.cancelReason} before its checkout confirmed it`);
  switch (order.status) {
    case 'PAID':
      if (order.paidAt === null || order.shippedAt !== null) problems.push('PAID without paidAt, or with shippedAt');
      break;
    case 'SHIPPED':
      if (order.shippedAt === null || order.releaseDueAt === null) problems.push('SHIPPED without shippedAt or releaseDueAt');
      break;
    case 'DISPUTED':
      if (order.dispute === null) problems.push('DISPUTED without a dispute');
      break;
    case 'COMPLETED':
      if (order.releaseReason === null || order.cancelReason !== null) problems.push('COMPLETED without a release reason, or with a cancel reason');
      break;
    case 'CANCELLED':
      if (order.cancelReason === null || order.paidAt === null || order.releaseReason !== null) problems.push('CANCELLED without reason or payment, or released');
      break;
    case 'FAILED':
      if (order.failure === null || order.paidAt !== null) problems.push('FAILED without a failure, or after being paid');
      break;
    case 'NEW':
    case 'PLACED':
    case 'DELIVERED':
      problems.push('between statuses on a quiet system');
      break;
    default: {
      const unknown: never = order.status;
      problems.push(`unknown status ${String(unknown)}`);
    }
  }
  return problems;
}

/** No step pending; a failed step only where it is why the placement failed. */
function orderSteps(order: OrderState): string[] {
  const problems: string[] = [];
  for (const [stepId, step] of Object.entries(order.steps)) {
    if (step.status === 'PENDING') problems.push(`step ${stepId} pending on a quiet system`);
    if (step.status === 'FAILED' && !(order.status === 'FAILED' && placingSteps.has(stepId))) {
      problems.push(`step ${stepId} failed: the saga stopped for an operator`);
    }
  }
  return problems;
}

/** The order's own timers, the durable index, and what its status needs must all agree. */
function orderTimers(snapshot: MarketSnapshot, order: OrderState): string[] {
  const problems: string[] = [];
  const own = new Map(Object.entries(order.timers).map(([timerId, timer]) => [timerId, timer.dueAt]));
  const indexed = snapshot.timers.get(orderKey(order.orderId)) ?? new Map<string, number>();
  const expected = new Map<string, number>();
  if (order.status === 'PAID' && order.paidAt !== null) expected.set('ship-by', order.paidAt + snapshot.shipByMs);
  if (order.status === 'SHIPPED' && order.shippedAt !== null) expected.set('release-escrow', order.shippedAt + snapshot.releaseAfterMs);
  const describe = (timers: ReadonlyMap<string, number>) => JSON.stringify([...timers].sort());
  if (describe(own) !== describe(expected)) problems.push(`timers in state ${describe(own)}, its status needs ${describe(expected)}`);
  if (describe(indexed) !== describe(own)) problems.push(`timers indexed ${describe(indexed)}, in state ${describe(own)}`);
  for (const [timerId, dueAt] of own) {
    if (dueAt <= snapshot.now) problems.push(`timer ${timerId} was due at ${dueAt} and has not fired (now ${snapshot.now})`);
  }
  return problems;
}

/** What the wallet journals moved for the order must match its status. */
function orderMoney(snapshot: MarketSnapshot, order: OrderState): string[] {
  const m: OrderMoney = snapshot.money.get(order.orderId) ?? emptyMoney();
  const total = order.totalMinor;
  const problems: string[] = [];
  const expect = (fact: boolean, text: string) => {
    if (!fact) problems.push(`${text}; the wallet journals show ${JSON.stringify(m)}`);
  };
  if (m.debited > 0) expect(m.buyerWallet === order.buyerId, `debited from ${m.buyerWallet}, not its buyer ${order.buyerId}`);
  if (m.credited > 0) expect(m.sellerWallet === order.sellerId, `credited to ${m.sellerWallet}, not its seller ${order.sellerId}`);
  if (heldStatuses.has(order.status)) {
    expect(m.debited === 1 && m.debitedMinor === total && m.credited === 1 && m.creditedMinor === total, `held: debit and pending credit of ${total} once each`);
    expect(m.released + m.voided + m.refunded + m.feeCredited === 0, 'held: nothing released, voided or refunded');
  } else if (order.status === 'COMPLETED') {
    expect(m.debited === 1 && m.credited === 1 && m.released === 1 && m.debitedMinor === total, `completed: debited, credited and released ${total} once`);
    expect(m.feeTakenMinor === order.feeMinor && m.feeCredited === 1 && m.feeCreditedMinor === order.feeMinor, `completed: fee ${order.feeMinor} taken and credited once`);
    expect(m.voided + m.refunded === 0, 'completed: never voided or refunded');
  } else if (order.status === 'CANCELLED') {
    expect(m.debited === 1 && m.refunded === 1 && m.refundedMinor === total && m.debitedMinor === total, `cancelled: debited and refunded ${total} once`);
    expect(m.credited === 1 && m.voided === 1 && m.released === 0, 'cancelled: pending credit voided, never released');
  } else if (order.status === 'FAILED') {
    expect(m.refunded === m.debited && m.refundedMinor === m.debitedMinor, 'failed: every debit refunded');
    expect(m.voided === m.credited && m.released === 0 && m.feeCredited === 0, 'failed: every pending credit voided, nothing released');
  }
  return problems;
}

/** Money events for order ids no order stream knows: lost to every wallet. */
function strayMoney(snapshot: MarketSnapshot): string[] {
  return [...snapshot.money.keys()].filter((orderId) => !snapshot.orders.has(orderId)).map((orderId) => `money moved for unknown order ${orderId}`);
}

// ---------------------------------------------------------------------------------------------
// Checkouts

function checkCheckout(snapshot: MarketSnapshot, checkout: CheckoutState): string[] {
  if (checkout.status === 'NEW') return [];
  const where = `checkout ${checkout.checkoutId} [${checkout.status}]`;
  const problems: string[] = [];
  if (checkout.status !== 'COMPLETED' && checkout.status !== 'FAILED') problems.push('unfinished on a quiet system');
  for (const [stepId, step] of Object.entries(checkout.steps)) {
    if (step.status === 'PENDING') problems.push(`step ${stepId} pending on a quiet system`);
  }
  const timers = (checkout as { readonly timers?: Readonly<Record<string, unknown>> }).timers ?? {};
  if (Object.keys(timers).length > 0) problems.push(`timers left: ${Object.keys(timers).join(', ')}`);
  if ((snapshot.timers.get(checkoutKey(checkout.checkoutId))?.size ?? 0) > 0) problems.push('timers left in the durable index');
  for (const planned of checkout.orders) {
    const order = snapshot.orders.get(planned.orderId);
    if (order === undefined || order.status === 'NEW') problems.push(`order ${planned.orderId} was never placed`);
    else if (checkout.status === 'COMPLETED' && (order.status === 'FAILED' || order.cancelReason === 'checkout_failed')) {
      problems.push(`order ${planned.orderId} is ${order.status} (${order.cancelReason ?? order.failure?.code}) in a completed checkout`);
    } else if (checkout.status === 'COMPLETED' && order.status === 'PAID' && !order.checkoutConfirmed) {
      problems.push(`order ${planned.orderId} is PAID and its completed checkout never confirmed it (its seller cannot ship it)`);
    } else if (checkout.status === 'FAILED' && order.status !== 'FAILED' && order.status !== 'CANCELLED') {
      // All or nothing (DESIGN.md §3): a failed checkout leaves no order holding the buyer's money.
      problems.push(`order ${planned.orderId} is ${order.status} although its checkout failed`);
    }
  }
  return problems.map((problem) => `${where}: ${problem}`);
}

/** Orders of a failed checkout that were not undone (each is also a broken fact above). */
export function survivorsOfFailedCheckouts(snapshot: MarketSnapshot): string[] {
  const survivors: string[] = [];
  for (const checkout of snapshot.checkouts.values()) {
    if (checkout.status !== 'FAILED') continue;
    for (const planned of checkout.orders) {
      const order = snapshot.orders.get(planned.orderId);
      if (order !== undefined && order.status !== 'FAILED' && order.status !== 'CANCELLED') survivors.push(`${planned.orderId}:${order.status}`);
    }
  }
  return survivors;
}

// ---------------------------------------------------------------------------------------------
// Stock and wallets against the model

/** Stock = initial − what is reserved; a reservation is held exactly while its order keeps the goods. */
function checkStock(snapshot: MarketSnapshot, model: MarketModel): string[] {
  const problems: string[] = [];
  for (const [sellerId, seller] of snapshot.sellers) {
    const reservedQty = new Map<string, number>();
    for (const [orderId, reservation] of Object.entries(seller.reservations)) {
      const order = snapshot.orders.get(orderId);
      const keepsGoods = order !== undefined && (heldStatuses.has(order.status) || order.status === 'COMPLETED' || (order.status === 'CANCELLED' && order.shipped));
      if ((reservation.status === 'RESERVED') !== keepsGoods) {
        problems.push(`seller ${sellerId}: reservation of order ${orderId} is ${reservation.status} while the order is ${order?.status ?? 'unknown'}${order?.shipped ? ' (shipped)' : ''}`);
      }
      const reservedMinor = sum(reservation.items.map((item) => item.qty * item.unitPriceMinor));
      if (order !== undefined && order.totalMinor !== 0 && order.totalMinor !== reservedMinor) {
        problems.push(`seller ${sellerId}: order ${orderId} totals ${order.totalMinor}, its reservation ${reservedMinor}`);
      }
      if (reservation.status !== 'RESERVED') continue;
      for (const item of reservation.items) reservedQty.set(item.productId, (reservedQty.get(item.productId) ?? 0) + item.qty);
    }
    for (const product of Object.values(seller.products)) {
      const initial = model.initialStock.get(`${sellerId}/${product.productId}`) ?? 0;
      const expected = initial - (reservedQty.get(product.productId) ?? 0);
      if (product.stock < 0) problems.push(`seller ${sellerId}: ${product.productId} stock ${product.stock} is negative`);
      if (product.stock !== expected) problems.push(`seller ${sellerId}: ${product.productId} stock ${product.stock}, expected ${initial} − reserved = ${expected}`);
    }
  }
  for (const order of snapshot.orders.values()) {
    if (!(heldStatuses.has(order.status) || order.status === 'COMPLETED')) continue;
    if (snapshot.sellers.get(order.sellerId)?.reservations[order.orderId]?.status !== 'RESERVED') {
      problems.push(`order ${order.orderId} [${order.status}] holds no reservation at seller ${order.sellerId}`);
    }
  }
  return problems;
}

/**
 * Every wallet's balance and locked amount, predicted from the simulation's deposits and
 * withdrawals and the orders' statuses alone (a held order's total is locked with its seller; a
 * completed one is paid out less its fee, which the platform receives).
 */
function checkWalletModel(snapshot: MarketSnapshot, model: MarketModel): string[] {
  const balance = new Map<string, number>();
  const locked = new Map<string, number>();
  const add = (map: Map<string, number>, walletId: string, amount: number) => map.set(walletId, (map.get(walletId) ?? 0) + amount);
  for (const [userId, amount] of model.depositedMinor) add(balance, userId, amount);
  for (const [userId, amount] of model.withdrawnMinor) add(balance, userId, -amount);
  for (const order of snapshot.orders.values()) {
    if (heldStatuses.has(order.status)) {
      add(balance, order.buyerId, -order.totalMinor);
      add(locked, order.sellerId, order.totalMinor);
    } else if (order.status === 'COMPLETED') {
      add(balance, order.buyerId, -order.totalMinor);
      add(balance, order.sellerId, order.totalMinor - order.feeMinor);
      add(balance, 'platform', order.feeMinor);
    }
  }
  const problems: string[] = [];
  const walletIds = new Set([...snapshot.wallets.keys(), ...balance.keys(), ...locked.keys()]);
  for (const walletId of walletIds) {
    const wallet = snapshot.wallets.get(walletId);
    const lifetime = { deposited: model.depositedMinor.get(walletId) ?? 0, withdrawn: model.withdrawnMinor.get(walletId) ?? 0 };
    if ((wallet?.depositedMinor ?? 0) !== lifetime.deposited || (wallet?.withdrawnMinor ?? 0) !== lifetime.withdrawn) {
      problems.push(`wallet ${walletId}: lifetime deposits/withdrawals ${wallet?.depositedMinor}/${wallet?.withdrawnMinor}, accepted ${lifetime.deposited}/${lifetime.withdrawn}`);
    }
    const expected = { balanceMinor: balance.get(walletId) ?? 0, lockedMinor: locked.get(walletId) ?? 0 };
    const actual = { balanceMinor: wallet?.balanceMinor ?? 0, lockedMinor: wallet?.lockedMinor ?? 0 };
    if (actual.balanceMinor !== expected.balanceMinor || actual.lockedMinor !== expected.lockedMinor) {
      problems.push(`wallet ${walletId}: ${JSON.stringify(actual)}, the model predicts ${JSON.stringify(expected)}`);
    }
  }
  return problems;
}
