/**
 * The wallet's escrow side: a seller's pending credit, its release or void, the buyer's refund and
 * the platform's fee (the buyer's own money is in wallet.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { maxMinor, walletDecider, type WalletState } from './wallet.ts';
import { cmd, ev, given, now, stateOf } from './wallet.fixtures.ts';

describe('CreditPending', () => {
  it("locks the seller's escrowed funds", () => {
    const state = stateOf(given().when(cmd.creditPending('o1', 700)).then(ev.credited('o1', 700)));
    expect(state).toMatchObject({ balanceMinor: 0, lockedMinor: 700 });
    expect(state.sales).toEqual({ o1: { amountMinor: 700, feeMinor: 0, status: 'LOCKED' } });
  });

  it('accepts a repeat with no new events, whatever happened to the sale since', () => {
    given(ev.credited('o1', 700)).when(cmd.creditPending('o1', 700)).then();
    given(ev.credited('o1', 700), ev.released('o1', 700, 70)).when(cmd.creditPending('o1', 700)).then();
    given(ev.credited('o1', 700), ev.voided('o1', 700)).when(cmd.creditPending('o1', 700)).then();
  });

  it('rejects a repeat with a different amount', () => {
    given(ev.credited('o1', 700)).when(cmd.creditPending('o1', 701)).thenRejects('conflicting_retry');
  });

  it('refuses an order whose void came first (fenced)', () => {
    given(ev.fenced('o1', 'seller')).when(cmd.creditPending('o1', 700)).thenRejects('order_closed');
  });

  it('is not fenced by the buyer side of the same order', () => {
    given(ev.fenced('o1', 'buyer')).when(cmd.creditPending('o1', 700)).then(ev.credited('o1', 700));
  });

  it('stops at the largest safe amount', () => {
    given(ev.deposited(maxMinor - 10)).when(cmd.creditPending('o1', 11)).thenRejects('balance_overflow');
    given(ev.deposited(maxMinor - 10)).when(cmd.creditPending('o1', 10)).then(ev.credited('o1', 10));
  });
});

describe('ReleasePending', () => {
  it('moves locked funds to the balance, minus the platform fee', () => {
    const state = stateOf(given(ev.credited('o1', 1_000)).when(cmd.release('o1', 50)).then(ev.released('o1', 1_000, 50)));
    expect(state).toMatchObject({ balanceMinor: 950, lockedMinor: 0 });
    expect(state.sales).toEqual({ o1: { amountMinor: 1_000, feeMinor: 50, status: 'RELEASED' } });
  });

  it('allows a fee from zero up to the whole amount', () => {
    given(ev.credited('o1', 1_000)).when(cmd.release('o1', 0)).then(ev.released('o1', 1_000, 0));
    given(ev.credited('o1', 1_000)).when(cmd.release('o1', 1_000)).then(ev.released('o1', 1_000, 1_000));
    given(ev.credited('o1', 1_000)).when(cmd.release('o1', 1_001)).thenRejects('fee_out_of_range');
  });

  it('rejects an order with no pending funds here, fenced or not', () => {
    given().when(cmd.release('o1', 0)).thenRejects('unknown_order');
    given(ev.deposited(500), ev.debited('o1', 500)).when(cmd.release('o1', 0)).thenRejects('unknown_order');
    given(ev.fenced('o1', 'seller')).when(cmd.release('o1', 0)).thenRejects('unknown_order');
  });

  it('rejects a voided sale', () => {
    given(ev.credited('o1', 1_000), ev.voided('o1', 1_000)).when(cmd.release('o1', 50)).thenRejects('already_voided');
  });

  it('accepts a repeat with the same fee and rejects a different fee', () => {
    const history = [ev.credited('o1', 1_000), ev.released('o1', 1_000, 50)];
    given(...history).when(cmd.release('o1', 50)).then();
    given(...history).when(cmd.release('o1', 60)).thenRejects('conflicting_retry');
  });
});

describe('VoidPending', () => {
  it("removes the seller's locked funds", () => {
    const state = stateOf(given(ev.credited('o1', 1_000)).when(cmd.void('o1')).then(ev.voided('o1', 1_000)));
    expect(state).toMatchObject({ balanceMinor: 0, lockedMinor: 0 });
    expect(state.sales).toEqual({ o1: { amountMinor: 1_000, feeMinor: 0, status: 'VOIDED' } });
  });

  it('fences an order with no pending funds here: no money moves, and a later credit is refused', () => {
    const state = stateOf(given(ev.deposited(300)).when(cmd.void('o1')).then(ev.fenced('o1', 'seller')));
    expect(state).toMatchObject({ balanceMinor: 300, lockedMinor: 0, sales: {}, fencedSales: { o1: true }, fencedPurchases: {} });
    given(ev.fenced('o1', 'seller')).when(cmd.creditPending('o1', 700)).thenRejects('order_closed');
  });

  it('fences even an order this wallet paid as the buyer, since the seller side is apart', () => {
    given(ev.deposited(500), ev.debited('o1', 500)).when(cmd.void('o1')).then(ev.fenced('o1', 'seller'));
  });

  it('accepts a repeated fencing void with no new events', () => {
    given(ev.fenced('o1', 'seller')).when(cmd.void('o1')).then();
  });

  it('rejects a released sale', () => {
    given(ev.credited('o1', 1_000), ev.released('o1', 1_000, 0)).when(cmd.void('o1')).thenRejects('already_released');
  });

  it('accepts a repeat with no new events', () => {
    given(ev.credited('o1', 1_000), ev.voided('o1', 1_000)).when(cmd.void('o1')).then();
  });
});

describe('RefundOrder', () => {
  const paid = [ev.deposited(1_000), ev.debited('o1', 800)];

  it('gives the buyer back what was paid, in full or in part', () => {
    const state = stateOf(given(...paid).when(cmd.refund('o1', 800)).then(ev.refunded('o1', 800)));
    expect(state.balanceMinor).toBe(1_000);
    expect(state.purchases).toEqual({ o1: { debitedMinor: 800, refundedMinor: 800 } });
    given(...paid).when(cmd.refund('o1', 300)).then(ev.refunded('o1', 300));
  });

  it('refuses more than was paid', () => {
    given(...paid).when(cmd.refund('o1', 801)).thenRejects('refund_exceeds_debit');
  });

  it('fences an order this wallet never paid, even one it sold: no money moves, and a later debit is refused', () => {
    const state = stateOf(given(ev.deposited(1_000)).when(cmd.refund('o1', 1)).then(ev.fenced('o1', 'buyer')));
    expect(state).toMatchObject({ balanceMinor: 1_000, purchases: {}, fencedPurchases: { o1: true }, fencedSales: {} });
    given(ev.deposited(1_000), ev.fenced('o1', 'buyer')).when(cmd.debit('o1', 800)).thenRejects('order_closed');
    given(ev.credited('o1', 800)).when(cmd.refund('o1', 800)).then(ev.fenced('o1', 'buyer'));
  });

  it('fences ids that name Object.prototype members like any other, through a JSON snapshot too', () => {
    for (const orderId of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const state = stateOf(given(ev.deposited(500)).when(cmd.refund(orderId, 300)).then(ev.fenced(orderId, 'buyer')));
      expect(Object.keys(state.fencedPurchases)).toEqual([orderId]);
      const restored = JSON.parse(JSON.stringify(state)) as WalletState;
      expect(walletDecider.decide(restored, cmd.debit(orderId, 300), now)).toMatchObject({ rejected: 'order_closed' });
      given().when(cmd.void(orderId)).then(ev.fenced(orderId, 'seller'));
    }
  });

  it('accepts a repeated fencing refund with no new events, whatever its amount', () => {
    given(ev.fenced('o1', 'buyer')).when(cmd.refund('o1', 800)).then();
    given(ev.fenced('o1', 'buyer')).when(cmd.refund('o1', 5)).then();
  });

  it('still validates the amount before fencing', () => {
    given().when(cmd.refund('o1', 0)).thenRejects('amount_must_be_positive');
    given().when(cmd.refund('o1', 1.5)).thenRejects('amount_not_integer');
  });

  it('allows one refund per order: the same amount again is a repeat, another amount a conflict', () => {
    given(...paid, ev.refunded('o1', 800)).when(cmd.refund('o1', 800)).then();
    given(...paid, ev.refunded('o1', 300)).when(cmd.refund('o1', 300)).then();
    given(...paid, ev.refunded('o1', 300)).when(cmd.refund('o1', 500)).thenRejects('conflicting_retry');
  });

  it('stops at the largest safe amount', () => {
    given(...paid, ev.credited('o2', maxMinor - 200)).when(cmd.refund('o1', 800)).thenRejects('balance_overflow');
  });
});

describe('CreditFee', () => {
  it('credits the platform wallet with a released order’s fee', () => {
    const state = stateOf(given().when(cmd.creditFee('o1', 50)).then(ev.feeCredited('o1', 50)));
    expect(state).toMatchObject({ balanceMinor: 50, fees: { o1: 50 } });
  });

  it('records a zero fee, so a later different fee is still a conflict', () => {
    const state = stateOf(given().when(cmd.creditFee('o1', 0)).then(ev.feeCredited('o1', 0)));
    expect(state.fees).toEqual({ o1: 0 });
    given(ev.feeCredited('o1', 0)).when(cmd.creditFee('o1', 0)).then();
    given(ev.feeCredited('o1', 0)).when(cmd.creditFee('o1', 5)).thenRejects('conflicting_retry');
  });

  it('accepts a repeat with the same amount and rejects a different one', () => {
    given(ev.feeCredited('o1', 50)).when(cmd.creditFee('o1', 50)).then();
    given(ev.feeCredited('o1', 50)).when(cmd.creditFee('o1', 40)).thenRejects('conflicting_retry');
  });

  it('stops at the largest safe amount', () => {
    given(ev.deposited(maxMinor)).when(cmd.creditFee('o1', 1)).thenRejects('balance_overflow');
  });
});
