/**
 * Seeded property test for the wallet decider across a market: a buyer, sellers and the platform
 * exchanging order money the way the order saga will, under duplicated, lost and stale steps.
 * A failure names its seed and step; rerun that run with
 * `WALLET_PROPERTY_SEED=<seed> npx vitest run actors/wallet/wallet-market.property.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { assertNever, isRejected } from '../decider.ts';
import { ownEntry } from '../own-entry.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import type { WalletCommand, WalletRejection } from './wallet.ts';
import { Checker, checkHoldings, runSeeds, seedOverride } from './wallet-property.fixtures.ts';
import { deliver, nextStep, stageAfter, wallet, type Market, type MarketCoverage, type Outcome, type SimOrder } from './wallet-market.fixtures.ts';

const marketRunsPerSeed = 250;
const marketTicks = 150;

// ---------------------------------------------------------------------------------------------
// Property 3: a buyer, sellers and the platform exchanging order money the way the order saga will.

/** One saga step, delivered possibly twice, with its reply possibly lost (the saga then retries). */
function advance(market: Market, order: SimOrder, coverage: MarketCoverage, flaky: boolean): void {
  const step = nextStep(market, order);
  if (!step) return;
  const decision = deliver(market, step.wallet, step.command);
  if (isRejected(decision)) {
    // Only paying can fail in a correct saga: the buyer may lack funds, and the order then fails.
    market.check.that(
      order.stage === 'placed' && decision.rejected === 'insufficient_funds',
      () => `the saga's ${step.command.type} for ${order.orderId} was rejected: ${decision.rejected}`,
    );
    // The order undoes even a refused debit (an earlier attempt may yet arrive): the refund finds
    // nothing and fences the order at the buyer's wallet instead.
    const refund: WalletCommand = { type: 'RefundOrder', orderId: order.orderId, amountMinor: order.amountMinor };
    const fenced = deliver(market, step.wallet, refund);
    market.check.that(
      !isRejected(fenced) && fenced.length === 1 && fenced[0]?.type === 'OrderFenced',
      () => `undoing a refused debit gave ${JSON.stringify(fenced)}`,
    );
    order.refusedDebit = step;
    order.stage = 'failed';
    coverage.outcomes.set('failed', (coverage.outcomes.get('failed') ?? 0) + 1);
    return;
  }
  market.check.that(!order.replyLost || decision.length === 0, () => `a retry after a lost reply produced events`);
  if (flaky && market.random.chance(0.25)) {
    coverage.duplicates += 1;
    const duplicate = deliver(market, step.wallet, step.command);
    market.check.that(!isRejected(duplicate) && duplicate.length === 0, () => `a duplicate gave ${JSON.stringify(duplicate)}`);
  }
  if (decision.length > 0) order.doneSteps.push(step);
  if (flaky && decision.length > 0 && market.random.chance(0.2)) {
    coverage.lostReplies += 1;
    order.replyLost = true;
    return;
  }
  order.replyLost = false;
  order.stage = stageAfter(order);
  if (order.stage === 'done') coverage.outcomes.set(order.outcome, (coverage.outcomes.get(order.outcome) ?? 0) + 1);
}

/**
 * A step the wallets already accepted, resent late: with the same arguments it changes nothing.
 * A failed order's refused debit, resent after its fencing refund (the buyer may have the money
 * by now), is refused as `order_closed`.
 */
function staleRetry(market: Market, order: SimOrder, coverage: MarketCoverage): void {
  if (order.refusedDebit !== null) {
    coverage.lateAttemptsFenced += 1;
    const late = deliver(market, order.refusedDebit.wallet, order.refusedDebit.command);
    market.check.that(isRejected(late) && late.rejected === 'order_closed', () => `a late debit after its refund gave ${JSON.stringify(late)}`);
    return;
  }
  if (order.doneSteps.length === 0) return;
  const step = market.random.pick(order.doneSteps);
  coverage.staleRetries += 1;
  const decision = deliver(market, step.wallet, step.command);
  market.check.that(!isRejected(decision) && decision.length === 0, () => `a stale retry gave ${JSON.stringify(decision)}`);
}

/** The same step with another amount (a bug or a forged message) is refused and changes nothing. */
function conflictingRetry(market: Market, order: SimOrder, coverage: MarketCoverage): void {
  const candidates = order.doneSteps.filter((done) => done.command.type !== 'VoidPending');
  if (candidates.length === 0) return;
  const step = market.random.pick(candidates);
  coverage.conflicts += 1;
  const decision = deliver(market, step.wallet, withAnotherAmount(step.command));
  market.check.that(
    isRejected(decision) && decision.rejected === 'conflicting_retry',
    () => `a conflicting retry gave ${JSON.stringify(decision)}`,
  );
}

function withAnotherAmount(command: WalletCommand): WalletCommand {
  switch (command.type) {
    case 'ReleasePending':
      return { ...command, feeMinor: command.feeMinor === 0 ? 1 : 0 };
    case 'VoidPending':
      return command;
    case 'Deposit':
    case 'Withdraw':
    case 'DebitForOrder':
    case 'CreditPending':
    case 'RefundOrder':
    case 'CreditFee':
      return { ...command, amountMinor: command.amountMinor + 1 };
    default:
      return assertNever(command);
  }
}

/** A late message for the branch not taken (a release timer firing after a void, say) is refused. */
function wrongBranch(market: Market, order: SimOrder, coverage: MarketCoverage): void {
  const sale = ownEntry(order.seller.state.sales, order.orderId);
  if (!sale || sale.status === 'LOCKED') return;
  coverage.wrongBranch += 1;
  const command: WalletCommand =
    sale.status === 'RELEASED'
      ? { type: 'VoidPending', orderId: order.orderId }
      : { type: 'ReleasePending', orderId: order.orderId, feeMinor: 0 };
  const expected: WalletRejection = sale.status === 'RELEASED' ? 'already_released' : 'already_voided';
  const decision = deliver(market, order.seller, command);
  market.check.that(
    isRejected(decision) && decision.rejected === expected,
    () => `a wrong branch gave ${JSON.stringify(decision)}`,
  );
}

/**
 * Money that left the buyer for this order but sits in no wallet yet, as the ledger audit sees it
 * from the wallets' own records.
 */
function inFlightMinor(market: Market, order: SimOrder): number {
  const purchase = ownEntry(market.buyer.state.purchases, order.orderId);
  const sale = ownEntry(order.seller.state.sales, order.orderId);
  const paidMinor = purchase ? purchase.debitedMinor - purchase.refundedMinor : 0;
  let sellerHoldsMinor = 0;
  if (sale?.status === 'LOCKED') sellerHoldsMinor = sale.amountMinor;
  if (sale?.status === 'RELEASED') sellerHoldsMinor = sale.amountMinor - sale.feeMinor;
  const platformHoldsMinor = ownEntry(market.platform.state.fees, order.orderId) ?? 0;
  return paidMinor - sellerHoldsMinor - platformHoldsMinor;
}

/** The same, as the saga knows it from its own stage: valid whenever no reply is outstanding. */
function sagaInFlightMinor(order: SimOrder): number {
  switch (order.stage) {
    case 'paid':
    case 'voided':
      return order.amountMinor;
    case 'released':
      return order.feeMinor;
    case 'placed':
    case 'locked':
    case 'done':
    case 'failed':
      return 0;
    default:
      return assertNever(order.stage);
  }
}

function checkConservation(market: Market): void {
  const { check } = market;
  const wallets = [market.buyer, ...market.sellers, market.platform];
  let holdingsMinor = 0;
  for (const each of wallets) {
    checkHoldings(check, each.state, each.name);
    holdingsMinor += each.state.balanceMinor + each.state.lockedMinor;
  }
  let inFlightTotalMinor = 0;
  for (const order of market.orders) {
    const inFlight = inFlightMinor(market, order);
    check.that(inFlight >= 0, () => `order ${order.orderId} has ${inFlight} cents in flight: money was created`);
    check.that(inFlight <= order.amountMinor, () => `order ${order.orderId} has ${inFlight} cents in flight, more than its price`);
    if (!order.replyLost) {
      const sagaView = sagaInFlightMinor(order);
      check.that(
        inFlight === sagaView,
        () => `order ${order.orderId} at ${order.stage}: the wallets say ${inFlight} in flight, the saga ${sagaView}`,
      );
    }
    inFlightTotalMinor += inFlight;
  }
  const netMinor = market.depositsMinor - market.withdrawalsMinor;
  check.that(
    holdingsMinor + inFlightTotalMinor === netMinor,
    () => `wallets hold ${holdingsMinor} + ${inFlightTotalMinor} in flight, but deposits − withdrawals = ${netMinor}`,
  );
}

function placeOrder(market: Market, tick: number): void {
  const amountMinor = market.random.int(1, 3_000);
  market.orders.push({
    orderId: `order-${tick}`,
    seller: market.random.pick(market.sellers),
    amountMinor,
    feeMinor: market.random.chance(0.2) ? 0 : market.random.int(0, Math.floor(amountMinor / 5)),
    outcome: market.random.pick<Outcome>(['release', 'release', 'refund', 'cancel']),
    stage: 'placed',
    replyLost: false,
    doneSteps: [],
    refusedDebit: null,
  });
}

function moveMoney(market: Market, tick: number): void {
  const { random } = market;
  if (random.chance(0.6)) {
    const command: WalletCommand = { type: 'Deposit', commandId: `dep-${tick}`, amountMinor: random.int(1, 5_000) };
    deliver(market, market.buyer, command);
    // A retried deposit reaches the journal's commandId index, not the wallet twice.
    if (random.chance(0.3)) deliver(market, market.buyer, command);
    return;
  }
  const from = random.pick([market.buyer, ...market.sellers, market.platform]);
  const amountMinor = random.int(1, from.state.balanceMinor + 100);
  deliver(market, from, { type: 'Withdraw', commandId: `wd-${tick}`, amountMinor });
}

function tick(market: Market, tickNumber: number, coverage: MarketCoverage): void {
  const { random } = market;
  const roll = random.int(1, 100);
  const open = market.orders.filter((order) => order.stage !== 'done' && order.stage !== 'failed');
  const anyOrder = market.orders.length > 0 ? random.pick(market.orders) : undefined;
  if (roll <= 12 || open.length === 0) placeOrder(market, tickNumber);
  else if (roll <= 22) moveMoney(market, tickNumber);
  else if (roll <= 82) advance(market, random.pick(open), coverage, true);
  else if (roll <= 92 && anyOrder) staleRetry(market, anyOrder, coverage);
  else if (roll <= 96 && anyOrder) conflictingRetry(market, anyOrder, coverage);
  else if (anyOrder) wrongBranch(market, anyOrder, coverage);
}

/** Every saga runs to its end with a reliable network; then nothing may be in flight. */
function drain(market: Market, coverage: MarketCoverage): void {
  for (const order of market.orders) {
    for (let attempt = 0; order.stage !== 'done' && order.stage !== 'failed'; attempt += 1) {
      market.check.that(attempt < 10, () => `order ${order.orderId} is stuck at ${order.stage}`);
      advance(market, order, coverage, false);
    }
    const inFlight = inFlightMinor(market, order);
    market.check.that(inFlight === 0, () => `finished order ${order.orderId} still has ${inFlight} cents in flight`);
  }
  checkFinalOutcomes(market);
}

/** Each finished order moved exactly its own money to the right wallets. */
function checkFinalOutcomes(market: Market): void {
  for (const order of market.orders) {
    const { check } = market;
    const purchase = ownEntry(market.buyer.state.purchases, order.orderId);
    const sale = ownEntry(order.seller.state.sales, order.orderId);
    const fee = ownEntry(market.platform.state.fees, order.orderId);
    const describe = (): string =>
      `order ${order.orderId} (${order.outcome}, ${order.stage}): ${JSON.stringify({ purchase, sale, fee })}`;
    if (order.stage === 'failed') {
      check.that(!purchase && !sale && fee === undefined, describe);
    } else if (order.outcome === 'release') {
      check.that(purchase?.debitedMinor === order.amountMinor && purchase.refundedMinor === 0, describe);
      check.that(sale?.status === 'RELEASED' && sale.feeMinor === order.feeMinor, describe);
      check.that(fee === order.feeMinor, describe);
    } else {
      check.that(purchase?.debitedMinor === order.amountMinor && purchase.refundedMinor === order.amountMinor, describe);
      check.that(order.outcome === 'cancel' ? !sale : sale?.status === 'VOIDED', describe);
      check.that(fee === undefined, describe);
    }
  }
}

function runMarket(seed: number, coverage: MarketCoverage): number {
  const market: Market = {
    random: new SeededRandom(seed),
    check: new Checker('market', seed),
    buyer: wallet('buyer'),
    sellers: [wallet('seller-a'), wallet('seller-b'), wallet('seller-c')],
    platform: wallet('platform'),
    orders: [],
    facts: new Map(),
    depositsMinor: 0,
    withdrawalsMinor: 0,
    commandCount: 0,
  };
  for (let tickNumber = 1; tickNumber <= marketTicks; tickNumber += 1) {
    market.check.step = tickNumber;
    tick(market, tickNumber, coverage);
    checkConservation(market);
  }
  market.check.step = marketTicks + 1;
  drain(market, coverage);
  checkConservation(market);
  const netMinor = market.depositsMinor - market.withdrawalsMinor;
  const holdingsMinor = [market.buyer, ...market.sellers, market.platform].reduce(
    (sum, each) => sum + each.state.balanceMinor + each.state.lockedMinor,
    0,
  );
  market.check.that(
    holdingsMinor === netMinor,
    () => `after every saga ended, the wallets hold ${holdingsMinor}, not ${netMinor}`,
  );
  return market.commandCount;
}

describe('wallet properties (seeded)', () => {
  it('conserves money across buyer, sellers and platform under duplicated, lost and stale saga steps', () => {
    const coverage: MarketCoverage = {
      outcomes: new Map(),
      lostReplies: 0,
      duplicates: 0,
      staleRetries: 0,
      conflicts: 0,
      wrongBranch: 0,
      lateAttemptsFenced: 0,
    };
    let commands = 0;
    for (const seed of runSeeds(marketRunsPerSeed)) commands += runMarket(seed, coverage);
    if (seedOverride !== undefined) return;
    for (const outcome of ['release', 'refund', 'cancel', 'failed']) {
      expect(coverage.outcomes.get(outcome), outcome).toBeGreaterThan(100);
    }
    for (const [name, count] of Object.entries(coverage)) {
      if (typeof count === 'number') expect(count, name).toBeGreaterThan(100);
    }
    expect(commands).toBeGreaterThan(100_000);
  });
});
