/**
 * What the market simulation (market-simulation.ts) reads and reports: every actor's state with
 * the money, timers and audit beside it, the same read again after every actor was passivated,
 * the facts a closed market must hold, and the one-line summary of a run.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CheckoutState } from '../../actors/checkout/checkout-messages.ts';
import type { OrderState } from '../../actors/order/order-messages.ts';
import type { SellerState } from '../../actors/seller/seller-messages.ts';
import type { Marketplace } from '../../gateway/testing/marketplace.ts';
import { survivorsOfFailedCheckouts, terminalStatuses, type MarketSnapshot } from './market-invariants.ts';
import { allWallets, auditJournal, checkoutState, dayMs, moneyByOrder, orderState, pendingTimersByKey, sellerState, sum, tally } from './proof-kit.ts';

/** The actors a run created: its checkouts (and through them its orders) and its sellers. */
export interface MarketKeys {
  readonly checkoutIds: readonly string[];
  readonly sellerIds: readonly string[];
}

export async function readMarket(market: Marketplace, { checkoutIds, sellerIds }: MarketKeys): Promise<MarketSnapshot> {
  const checkouts = await Promise.all(checkoutIds.map((checkoutId) => checkoutState(market, checkoutId)));
  const orderIds = [...new Set(checkouts.flatMap((state) => state.orders.map((order) => order.orderId)))];
  const orders = await Promise.all(orderIds.map((orderId) => orderState(market, orderId)));
  const sellers = await Promise.all(sellerIds.map((sellerId) => sellerState(market, sellerId)));
  const config = market.system.config.orders;
  return {
    now: market.clock.now(),
    shipByMs: config.shipByMs,
    releaseAfterMs: config.releaseAfterMs,
    checkouts: new Map(checkoutIds.map((id, index) => [id, checkouts[index] as CheckoutState])),
    orders: new Map(orderIds.map((id, index) => [id, orders[index] as OrderState])),
    sellers: new Map(sellerIds.map((id, index) => [id, sellers[index] as SellerState])),
    wallets: await allWallets(market),
    money: await moneyByOrder(market.system.stores.journal),
    timers: await pendingTimersByKey(market),
    audit: await auditJournal(market),
  };
}

/**
 * Passivates every actor and reads them all again: each is rebuilt from its latest snapshot
 * (taken every few entries) and the journal after it, and must equal the state it had live.
 */
export async function rehydrationProblems(market: Marketplace, keys: MarketKeys, live: MarketSnapshot): Promise<string[]> {
  market.system.runtime.passivateIdle(0);
  const resident = market.system.runtime.list().length;
  const again = await readMarket(market, keys);
  const problems = resident === 0 ? [] : [`${resident} actors stayed resident after passivating every idle one`];
  const kinds = ['checkouts', 'orders', 'sellers', 'wallets'] as const;
  for (const kind of kinds) {
    for (const [id, state] of live[kind]) {
      if (!isDeepStrictEqual(state, again[kind].get(id))) {
        problems.push(`${kind} ${id} rehydrated as ${JSON.stringify(again[kind].get(id))}, live it was ${JSON.stringify(state)}`);
      }
    }
  }
  return problems;
}

/** After every dispute was resolved: every order finished, no timer pending, no money locked. */
export function closedProblems(snapshot: MarketSnapshot): string[] {
  const problems = [...snapshot.orders.values()].filter((order) => !terminalStatuses.has(order.status)).map((order) => `order ${order.orderId} is ${order.status} after every dispute was resolved`);
  const pending = [...snapshot.timers].map(([key, timers]) => `${key} still has timers ${[...timers.keys()].join(', ')}`);
  const locked = [...snapshot.wallets].filter(([, wallet]) => wallet.lockedMinor !== 0).map(([walletId, wallet]) => `wallet ${walletId} still has ${wallet.lockedMinor} cents locked`);
  return [...problems, ...pending, ...locked];
}

/** What a run did, as the simulation counted it. */
export interface RunTally {
  readonly seed: number;
  readonly outcomes: { readonly checkouts: readonly string[]; readonly followUps: readonly string[]; readonly wallet: readonly string[]; readonly eager: readonly string[] };
  readonly depositedMinor: ReadonlyMap<string, number>;
  readonly withdrawnMinor: ReadonlyMap<string, number>;
  readonly clockAdvancedMs: number;
}

export function runSummary(run: RunTally, snapshot: MarketSnapshot | null, elapsedMs: number): string {
  const orders = [...(snapshot?.orders.values() ?? [])];
  const money = [...(snapshot?.money.values() ?? [])];
  const dollars = (minor: number) => `$${(minor / 100).toFixed(2)}`;
  const followUpsAccepted = run.outcomes.followUps.filter((outcome) => outcome.endsWith(':ok')).length;
  const survivors = snapshot === null ? [] : survivorsOfFailedCheckouts(snapshot);
  return [
    `seed ${run.seed}: ${run.outcomes.checkouts.length} checkouts (${tally(run.outcomes.checkouts)})`,
    `orders ${orders.length} (${tally(orders.map((order) => (order.status === 'CANCELLED' ? `CANCELLED/${order.cancelReason}` : order.status)))})`,
    `follow-ups ${followUpsAccepted}/${run.outcomes.followUps.length} accepted`,
    `wallet ops (${tally(run.outcomes.wallet)})`,
    `money: deposited ${dollars(sum(run.depositedMinor.values()))}, withdrawn ${dollars(sum(run.withdrawnMinor.values()))}, paid ${dollars(sum(money.map((m) => m.debitedMinor)))}, released ${dollars(sum(money.filter((m) => m.released > 0).map((m) => m.creditedMinor - m.feeTakenMinor)))}, refunded ${dollars(sum(money.map((m) => m.refundedMinor)))}, fees ${dollars(sum(money.map((m) => m.feeCreditedMinor)))}`,
    `clock +${(run.clockAdvancedMs / dayMs).toFixed(1)} days`,
    `orders of failed checkouts left standing: ${survivors.length}${survivors.length > 0 ? ` (${survivors.slice(0, 5).join(', ')})` : ''}`,
    `eager ships ${tally(run.outcomes.eager)}`,
    `${(elapsedMs / 1000).toFixed(1)} s`,
  ].join(' | ');
}
