/**
 * Seeded property tests for the wallet decider (STYLE.md: a seeded run reproduces, a failure prints
 * its seed). Every failure names the run's seed and step; rerun just that run with
 * `WALLET_PROPERTY_SEED=<seed> npx vitest run actors/wallet/wallet.property.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { assertNever, isRejected } from '../decider.ts';
import { ownEntry } from '../own-entry.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import {
  commandId,
  decide,
  evolve,
  initialState,
  maxMinor,
  type WalletCommand,
  type WalletEvent,
  type WalletRejection,
  type WalletState,
} from './wallet.ts';
import { Checker, checkHoldings, isOrderStep, runSeeds, seedOverride } from './wallet-property.fixtures.ts';

const singleWalletRunsPerSeed = 1_000;
const singleWalletSteps = 60;

// ---------------------------------------------------------------------------------------------
// Properties 1 and 2: one wallet under random commands.

/**
 * Money counted from the events a wallet actually produced, independently of evolve. BigInt,
 * because a wallet may hold up to 2^53 − 1 cents and the identity's partial sums may pass that.
 */
interface EventTotals {
  depositedMinor: bigint;
  withdrawnMinor: bigint;
  debitedMinor: bigint;
  refundedMinor: bigint;
  pendingCreditedMinor: bigint;
  pendingVoidedMinor: bigint;
  pendingReleasedMinor: bigint;
  feesKeptByPlatformMinor: bigint;
  feesCreditedMinor: bigint;
}

function zeroTotals(): EventTotals {
  return {
    depositedMinor: 0n,
    withdrawnMinor: 0n,
    debitedMinor: 0n,
    refundedMinor: 0n,
    pendingCreditedMinor: 0n,
    pendingVoidedMinor: 0n,
    pendingReleasedMinor: 0n,
    feesKeptByPlatformMinor: 0n,
    feesCreditedMinor: 0n,
  };
}

function tally(totals: EventTotals, event: WalletEvent): void {
  // A fence moves no money.
  if (event.type === 'OrderFenced') return;
  const amountMinor = BigInt(event.amountMinor);
  switch (event.type) {
    case 'Deposited':
      totals.depositedMinor += amountMinor;
      return;
    case 'Withdrawn':
      totals.withdrawnMinor += amountMinor;
      return;
    case 'DebitedForOrder':
      totals.debitedMinor += amountMinor;
      return;
    case 'OrderRefunded':
      totals.refundedMinor += amountMinor;
      return;
    case 'PendingCredited':
      totals.pendingCreditedMinor += amountMinor;
      return;
    case 'PendingVoided':
      totals.pendingVoidedMinor += amountMinor;
      return;
    case 'PendingReleased':
      totals.pendingReleasedMinor += amountMinor;
      totals.feesKeptByPlatformMinor += BigInt(event.feeMinor);
      return;
    case 'FeeCredited':
      totals.feesCreditedMinor += amountMinor;
      return;
    default:
      return assertNever(event);
  }
}

const orderIds = ['o1', 'o2', 'o3', 'o4', 'o5', 'constructor', '__proto__'];
const oddAmounts = [0, -1, -500, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, maxMinor];

/** Mostly plausible amounts, often the one already recorded (to provoke repeats), sometimes junk. */
function amount(random: SeededRandom, recordedMinor: number | undefined, upToMinor: number): number {
  if (random.chance(0.04)) return random.pick(oddAmounts);
  if (recordedMinor !== undefined && random.chance(0.5)) return recordedMinor;
  return random.int(1, Math.max(1, upToMinor));
}

function randomCommand(random: SeededRandom, state: WalletState, step: number): WalletCommand {
  const orderId = random.pick(orderIds);
  const purchase = ownEntry(state.purchases, orderId);
  const sale = ownEntry(state.sales, orderId);
  const spendable = state.balanceMinor + 200;
  switch (random.int(0, 7)) {
    case 0:
      return { type: 'Deposit', commandId: `d${step}`, amountMinor: amount(random, undefined, 2_000) };
    case 1:
      return { type: 'Withdraw', commandId: `w${step}`, amountMinor: amount(random, undefined, spendable) };
    case 2:
      return { type: 'DebitForOrder', orderId, amountMinor: amount(random, purchase?.debitedMinor, spendable) };
    case 3:
      return { type: 'CreditPending', orderId, amountMinor: amount(random, sale?.amountMinor, 2_000) };
    case 4: {
      const saleMinor = sale?.amountMinor ?? 100;
      const releasedFeeMinor = sale?.status === 'RELEASED' ? sale.feeMinor : undefined;
      let feeMinor = random.int(0, saleMinor);
      if (random.chance(0.1)) feeMinor = random.pick([-1, 0.5, saleMinor + 1]);
      else if (releasedFeeMinor !== undefined && random.chance(0.5)) feeMinor = releasedFeeMinor;
      return { type: 'ReleasePending', orderId, feeMinor };
    }
    case 5:
      return { type: 'VoidPending', orderId };
    case 6: {
      // Once refunded, the refunded amount is the one a repeat carries.
      const recordedMinor = purchase && purchase.refundedMinor > 0 ? purchase.refundedMinor : purchase?.debitedMinor;
      const upToMinor = (purchase?.debitedMinor ?? 100) + 20;
      return { type: 'RefundOrder', orderId, amountMinor: amount(random, recordedMinor, upToMinor) };
    }
    default: {
      const feeMinor = random.chance(0.1) ? 0 : amount(random, ownEntry(state.fees, orderId), 300);
      return { type: 'CreditFee', orderId, amountMinor: feeMinor };
    }
  }
}

/** What the single-wallet runs reached, so a generator that stops reaching a rule fails loudly. */
interface Coverage {
  events: Set<WalletEvent['type']>;
  rejections: Set<WalletRejection>;
  acceptedRepeats: number;
  steps: number;
}


function checkIdentity(check: Checker, state: WalletState, totals: EventTotals): void {
  const t = totals;
  const expectedLocked = t.pendingCreditedMinor - t.pendingVoidedMinor - t.pendingReleasedMinor;
  const expectedBalance =
    t.depositedMinor - t.withdrawnMinor - t.debitedMinor + t.refundedMinor +
    (t.pendingReleasedMinor - t.feesKeptByPlatformMinor) + t.feesCreditedMinor;
  const expectedHoldings =
    t.depositedMinor - t.withdrawnMinor - t.debitedMinor + t.refundedMinor + t.pendingCreditedMinor -
    t.pendingVoidedMinor - t.feesKeptByPlatformMinor + t.feesCreditedMinor;
  const balance = BigInt(state.balanceMinor);
  const locked = BigInt(state.lockedMinor);
  check.that(
    balance + locked === expectedHoldings,
    () => `balance + locked is ${balance + locked}, the events say ${expectedHoldings}`,
  );
  check.that(locked === expectedLocked, () => `locked is ${locked}, the events say ${expectedLocked}`);
  check.that(balance === expectedBalance, () => `balance is ${balance}, the events say ${expectedBalance}`);
  const deposited = BigInt(state.depositedMinor);
  const withdrawn = BigInt(state.withdrawnMinor);
  check.that(deposited === t.depositedMinor, () => `depositedMinor is ${deposited}, the events say ${t.depositedMinor}`);
  check.that(withdrawn === t.withdrawnMinor, () => `withdrawnMinor is ${withdrawn}, the events say ${t.withdrawnMinor}`);
}

/** Snapshots are a cache: a JSON round trip and a replay from the journal must both give the same state. */
function checkSnapshotAndReplay(check: Checker, state: WalletState, journal: readonly WalletEvent[]): void {
  const replayed = journal.reduce(evolve, initialState);
  const snapshot = JSON.stringify(state);
  check.that(JSON.stringify(replayed) === snapshot, () => 'replaying the journal gives another state');
  const restored = JSON.parse(snapshot) as WalletState;
  check.that(JSON.stringify(restored) === snapshot, () => 'the state does not survive a JSON snapshot');
}

function runSingleWallet(seed: number, coverage: Coverage): void {
  const random = new SeededRandom(seed);
  const check = new Checker('single wallet', seed);
  const totals = zeroTotals();
  const journal: WalletEvent[] = [];
  let state = initialState;
  for (let step = 1; step <= singleWalletSteps; step += 1) {
    check.step = step;
    const command = randomCommand(random, state, step);
    check.lastAction = JSON.stringify(command);
    const decision = decide(state, command);
    coverage.steps += 1;
    if (isRejected(decision)) {
      coverage.rejections.add(decision.rejected);
    } else {
      if (decision.length === 0) coverage.acceptedRepeats += 1;
      for (const event of decision) {
        state = evolve(state, event);
        journal.push(event);
        tally(totals, event);
        coverage.events.add(event.type);
      }
      // A saga retry of an order step that just succeeded must change nothing.
      if (isOrderStep(command)) {
        const retry = decide(state, command);
        check.that(!isRejected(retry) && retry.length === 0, () => `a retry gave ${JSON.stringify(retry)}`);
      }
    }
    checkHoldings(check, state, 'the wallet');
    checkIdentity(check, state, totals);
    if (step % 15 === 0) checkSnapshotAndReplay(check, state, journal);
  }
}

describe('wallet properties (seeded)', () => {
  it('keeps balance and locked non-negative and every wallet consistent with its own events', () => {
    const coverage: Coverage = { events: new Set(), rejections: new Set(), acceptedRepeats: 0, steps: 0 };
    const seeds = runSeeds(singleWalletRunsPerSeed);
    for (const seed of seeds) runSingleWallet(seed, coverage);
    if (seedOverride !== undefined) return;
    // The generator must reach every rule, or the properties above prove less than they claim.
    const everyEvent: Record<WalletEvent['type'], true> = {
      Deposited: true, Withdrawn: true, DebitedForOrder: true, PendingCredited: true,
      PendingReleased: true, PendingVoided: true, OrderRefunded: true, FeeCredited: true, OrderFenced: true,
    };
    const everyRejection: Record<WalletRejection, true> = {
      amount_must_be_positive: true, amount_not_integer: true, fee_out_of_range: true, insufficient_funds: true,
      unknown_order: true, already_released: true, already_voided: true, refund_exceeds_debit: true,
      conflicting_retry: true, balance_overflow: true, order_closed: true,
    };
    expect([...coverage.events].sort()).toEqual(Object.keys(everyEvent).sort());
    expect([...coverage.rejections].sort()).toEqual(Object.keys(everyRejection).sort());
    expect(coverage.acceptedRepeats).toBeGreaterThan(1_000);
    expect(coverage.steps).toBe(seeds.length * singleWalletSteps);
  });
});
