import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../testing/decider-spec.ts';
import { evolve, initialState, maxMinor, walletDecider, type WalletCommand, type WalletEvent, type WalletState } from './wallet.ts';
import { cmd, ev, given, notWholeCents, now, positiveAmountCommands, stateOf } from './wallet.fixtures.ts';

describe('walletDecider', () => {
  it('is the wallet kind at state version 2 (with fences), starting empty in USD', () => {
    expect(walletDecider.kind).toBe('wallet');
    expect(walletDecider.stateVersion).toBe(2);
    expect(walletDecider.initialState).toEqual({
      currency: 'USD',
      balanceMinor: 0,
      lockedMinor: 0,
      depositedMinor: 0,
      withdrawnMinor: 0,
      purchases: {},
      sales: {},
      fees: {},
      fencedPurchases: {},
      fencedSales: {},
    });
  });

  it.each<[WalletCommand, string]>([
    [cmd.deposit(1, 'c-42'), 'c-42'],
    [cmd.withdraw(1, 'c-43'), 'c-43'],
    [cmd.debit('o7', 1), 'debit:o7'],
    [cmd.creditPending('o7', 1), 'credit-pending:o7'],
    [cmd.release('o7', 0), 'release:o7'],
    [cmd.void('o7'), 'void:o7'],
    [cmd.refund('o7', 1), 'refund:o7'],
    [cmd.creditFee('o7', 1), 'fee:o7'],
  ])('keys %j as %s', (command, key) => {
    expect(walletDecider.commandId(command)).toBe(key);
  });
});

describe('amount validation, for every command with an amount', () => {
  for (const [name, build] of positiveAmountCommands) {
    it(`${name} rejects zero and negative amounts`, () => {
      given(ev.deposited(1_000), ev.debited('o1', 500)).when(build(0)).thenRejects('amount_must_be_positive');
      given(ev.deposited(1_000), ev.debited('o1', 500)).when(build(-5)).thenRejects('amount_must_be_positive');
    });

    it(`${name} rejects amounts that are not whole, safe cents`, () => {
      for (const amountMinor of notWholeCents) {
        given(ev.deposited(1_000), ev.debited('o1', 500)).when(build(amountMinor)).thenRejects('amount_not_integer');
      }
    });
  }

  it('ReleasePending and CreditFee accept a zero fee but reject a negative or fractional one', () => {
    const builders = [(feeMinor: number) => cmd.release('o1', feeMinor), (feeMinor: number) => cmd.creditFee('o1', feeMinor)];
    for (const build of builders) {
      given(ev.credited('o1', 500)).when(build(-1)).thenRejects('fee_out_of_range');
      for (const feeMinor of notWholeCents) {
        given(ev.credited('o1', 500)).when(build(feeMinor)).thenRejects('amount_not_integer');
      }
    }
  });
});

describe('Deposit', () => {
  it('adds to the spendable balance', () => {
    const state = stateOf(given().when(cmd.deposit(500, 'c1')).then(ev.deposited(500, 'c1')));
    expect(state).toMatchObject({ balanceMinor: 500, lockedMinor: 0, depositedMinor: 500 });
  });

  it('stops at the largest safe amount, counting locked funds', () => {
    given(ev.deposited(maxMinor - 1)).when(cmd.deposit(1)).then(ev.deposited(1));
    given(ev.deposited(maxMinor)).when(cmd.deposit(1)).thenRejects('balance_overflow');
    given(ev.credited('o1', maxMinor)).when(cmd.deposit(1)).thenRejects('balance_overflow');
  });

  it('stops when the lifetime deposit total would overflow, even with room in the balance', () => {
    given(ev.deposited(maxMinor), ev.withdrawn(maxMinor)).when(cmd.deposit(1)).thenRejects('balance_overflow');
  });
});

describe('Withdraw', () => {
  it('takes from the spendable balance, down to zero', () => {
    given(ev.deposited(500)).when(cmd.withdraw(200, 'w1')).then(ev.withdrawn(200, 'w1'));
    const state = stateOf(given(ev.deposited(500)).when(cmd.withdraw(500)).then(ev.withdrawn(500)));
    expect(state).toMatchObject({ balanceMinor: 0, withdrawnMinor: 500 });
  });

  it('refuses more than the balance', () => {
    given(ev.deposited(500)).when(cmd.withdraw(501)).thenRejects('insufficient_funds');
    given().when(cmd.withdraw(1)).thenRejects('insufficient_funds');
  });

  it('cannot spend locked (escrowed) funds', () => {
    given(ev.credited('o1', 500)).when(cmd.withdraw(1)).thenRejects('insufficient_funds');
  });

  it('stops when the lifetime withdrawal total would overflow', () => {
    const history = [ev.deposited(maxMinor), ev.withdrawn(maxMinor), ev.credited('o1', 5), ev.released('o1', 5, 0)];
    given(...history).when(cmd.withdraw(1)).thenRejects('balance_overflow');
  });
});

describe('DebitForOrder', () => {
  it('pays an order from the balance and records the purchase', () => {
    const state = stateOf(given(ev.deposited(500)).when(cmd.debit('o1', 500)).then(ev.debited('o1', 500)));
    expect(state.balanceMinor).toBe(0);
    expect(state.purchases).toEqual({ o1: { debitedMinor: 500, refundedMinor: 0 } });
  });

  it('fails with insufficient funds, locked funds not counting', () => {
    given(ev.deposited(499)).when(cmd.debit('o1', 500)).thenRejects('insufficient_funds');
    given(ev.deposited(100), ev.credited('s1', 400)).when(cmd.debit('o1', 500)).thenRejects('insufficient_funds');
  });

  it('accepts a repeat with no new events, even when the balance could not pay it again', () => {
    given(ev.deposited(500), ev.debited('o1', 500)).when(cmd.debit('o1', 500)).then();
  });

  it('accepts a repeat after the order was refunded, so the order is never paid twice', () => {
    given(ev.deposited(500), ev.debited('o1', 500), ev.refunded('o1', 500)).when(cmd.debit('o1', 500)).then();
  });

  it('rejects a repeat with a different amount', () => {
    given(ev.deposited(900), ev.debited('o1', 500)).when(cmd.debit('o1', 400)).thenRejects('conflicting_retry');
  });

  it('refuses an order whose refund came first (fenced), even when the balance could pay it now', () => {
    given(ev.fenced('o1', 'buyer'), ev.deposited(10_000)).when(cmd.debit('o1', 500)).thenRejects('order_closed');
    given(ev.deposited(100), ev.fenced('o1', 'buyer')).when(cmd.debit('o1', 500)).thenRejects('order_closed');
  });

  it('is not fenced by the seller side of the same order (a buyer buying from themselves)', () => {
    given(ev.deposited(500), ev.fenced('o1', 'seller')).when(cmd.debit('o1', 500)).then(ev.debited('o1', 500));
  });

  it('treats ids that name Object.prototype members as ordinary new orders', () => {
    for (const orderId of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const state = stateOf(given(ev.deposited(500)).when(cmd.debit(orderId, 300)).then(ev.debited(orderId, 300)));
      expect(Object.getPrototypeOf(state.purchases)).toBe(Object.prototype);
      expect(Object.keys(state.purchases)).toEqual([orderId]);
      const restored = JSON.parse(JSON.stringify(state)) as WalletState;
      given(ev.deposited(500), ev.debited(orderId, 300)).when(cmd.debit(orderId, 300)).then();
      expect(walletDecider.decide(restored, cmd.debit(orderId, 300), now)).toEqual([]);
    }
  });
});

describe('evolve', () => {
  const lifeOfAnOrder = [
    ev.deposited(5_000, 'd1'),
    ev.debited('bought', 1_200),
    ev.credited('sold', 2_000),
    ev.released('sold', 2_000, 200),
    ev.credited('voided', 300),
    ev.voided('voided', 300),
    ev.refunded('bought', 1_200),
    ev.feeCredited('fee-of-x', 40),
    ev.withdrawn(1_000, 'w1'),
    ev.fenced('never-paid', 'buyer'),
    ev.fenced('never-sold', 'seller'),
  ];

  it('folds a history into plain data that survives a JSON snapshot', () => {
    const state = lifeOfAnOrder.reduce(evolve, initialState);
    expect(state).toEqual({
      currency: 'USD',
      balanceMinor: 5_000 - 1_200 + 1_800 + 1_200 + 40 - 1_000,
      lockedMinor: 0,
      depositedMinor: 5_000,
      withdrawnMinor: 1_000,
      purchases: { bought: { debitedMinor: 1_200, refundedMinor: 1_200 } },
      sales: {
        sold: { amountMinor: 2_000, feeMinor: 200, status: 'RELEASED' },
        voided: { amountMinor: 300, feeMinor: 0, status: 'VOIDED' },
      },
      fees: { 'fee-of-x': 40 },
      fencedPurchases: { 'never-paid': true },
      fencedSales: { 'never-sold': true },
    });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('never updates the state it is given', () => {
    const before = deepFreeze(lifeOfAnOrder.slice(0, 5).reduce(evolve, initialState));
    const copy = structuredClone(before);
    lifeOfAnOrder.slice(5).reduce(evolve, before);
    expect(before).toEqual(copy);
  });

  it.each<[string, WalletEvent[]]>([
    ['a withdrawal beyond the balance', [ev.deposited(10), ev.withdrawn(11)]],
    ['a debit beyond the balance', [ev.deposited(10), ev.debited('o1', 11)]],
    ['a second debit for one order', [ev.deposited(10), ev.debited('o1', 5), ev.debited('o1', 5)]],
    ['a refund of an order never debited', [ev.refunded('o1', 5)]],
    ['a second refund', [ev.deposited(10), ev.debited('o1', 5), ev.refunded('o1', 2), ev.refunded('o1', 2)]],
    ['a refund beyond the debit', [ev.deposited(10), ev.debited('o1', 5), ev.refunded('o1', 6)]],
    ['a second pending credit for one order', [ev.credited('o1', 5), ev.credited('o1', 5)]],
    ['a release of unknown pending funds', [ev.released('o1', 5, 0)]],
    ['a release of voided funds', [ev.credited('o1', 5), ev.voided('o1', 5), ev.released('o1', 5, 0)]],
    ['a second release', [ev.credited('o1', 5), ev.released('o1', 5, 0), ev.released('o1', 5, 0)]],
    ['a release of another amount than escrowed', [ev.credited('o1', 5), ev.released('o1', 4, 0)]],
    ['a release fee beyond the amount', [ev.credited('o1', 5), ev.released('o1', 5, 6)]],
    ['a void of released funds', [ev.credited('o1', 5), ev.released('o1', 5, 0), ev.voided('o1', 5)]],
    ['a void of another amount than escrowed', [ev.credited('o1', 5), ev.voided('o1', 6)]],
    ['a second fee for one order', [ev.feeCredited('o1', 5), ev.feeCredited('o1', 5)]],
    ['a buyer fence of a paid order', [ev.deposited(10), ev.debited('o1', 5), ev.fenced('o1', 'buyer')]],
    ['a debit of a fenced order', [ev.deposited(10), ev.fenced('o1', 'buyer'), ev.debited('o1', 5)]],
    ['a second buyer fence', [ev.fenced('o1', 'buyer'), ev.fenced('o1', 'buyer')]],
    ['a seller fence of a credited order', [ev.credited('o1', 5), ev.fenced('o1', 'seller')]],
    ['a pending credit of a fenced order', [ev.fenced('o1', 'seller'), ev.credited('o1', 5)]],
    ['a second seller fence', [ev.fenced('o1', 'seller'), ev.fenced('o1', 'seller')]],
    ['a fractional amount', [ev.deposited(1.5)]],
    ['a negative amount', [ev.deposited(-1)]],
    ['a negative fee', [ev.credited('o1', 5), ev.released('o1', 5, -1)]],
    ['holdings past the largest safe amount', [ev.deposited(maxMinor), ev.credited('o1', 1)]],
    ['a lifetime deposit total past the largest safe amount', [ev.deposited(maxMinor), ev.withdrawn(1), ev.deposited(1)]],
  ])('throws on %s, because only a bug produces such an event', (_name, history) => {
    expect(() => history.reduce(evolve, initialState)).toThrow(/wallet invariant broken/);
  });

  it('names the broken fact when the balance would go negative', () => {
    expect(() => [ev.deposited(10), ev.withdrawn(11)].reduce(evolve, initialState)).toThrow(
      'wallet invariant broken: balanceMinor is never negative (-1 after Withdrawn)',
    );
  });
});
