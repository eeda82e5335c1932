/**
 * Issue #15 §1–§2 in the notification planner: an order tells people about itself only once its
 * checkout confirmed it; the checkout's own outcome (PAID, FAILED) is the buyer's click and shows
 * in the cart; money moved by an order is told by the order's notification, not by the wallet.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../adapters/journal.ts';
import { holdsOrderNews, planOrderNotifications, planWalletNotifications } from './notifications.ts';

const parties = { buyerId: 'b1', sellerId: 's1', totalMinor: 900, itemCount: 1, buyerEmail: null, sellerEmail: null, sellerName: 'Seller' };
const entry = (key: string, events: readonly { type: string; [field: string]: unknown }[]): JournalEntry =>
  ({ key, seq: 3, events, commandId: 'c', at: 1_000 }) as unknown as JournalEntry;

describe('order notifications', () => {
  it('a refused checkout tells nobody: its cancellation happens before any confirmation', () => {
    const cancelled = entry('order:o1', [{ type: 'OrderCancelled', reason: 'checkout_failed', refundedMinor: 900, at: 1 }]);
    const failed = entry('order:o2', [{ type: 'OrderFailed', code: 'out_of_stock', message: 'gone', at: 1 }]);
    expect(planOrderNotifications(cancelled, { ...parties, confirmed: false })).toEqual([]);
    expect(planOrderNotifications(failed, { ...parties, confirmed: false })).toEqual([]);
  });

  it('the confirmation is the seller\'s new order; the buyer hears nothing of their own checkout', () => {
    const paid = entry('order:o1', [{ type: 'OrderPaid', at: 1 }]);
    const confirmed = entry('order:o1', [{ type: 'CheckoutConfirmed', at: 2 }]);
    expect(planOrderNotifications(paid, { ...parties, confirmed: true })).toEqual([]);
    expect(planOrderNotifications(confirmed, { ...parties, confirmed: true }).map((planned) => [planned.userId, planned.event])).toEqual([['s1', 'order.new']]);
  });

  it('a confirmed order tells both sides how it moves on', () => {
    const shipped = entry('order:o1', [{ type: 'OrderShipped', at: 3, releaseDueAt: 9 }]);
    expect(planOrderNotifications(shipped, { ...parties, confirmed: true }).map((planned) => planned.userId)).toEqual(['b1', 's1']);
  });

  it('an entry holds news exactly when it can tell someone something, so bookkeeping costs no lookup', () => {
    const bookkeeping = entry('order:o1', [{ type: 'StepSucceeded', stepId: 'debit' }, { type: 'OrderPriced', totalMinor: 900 }, { type: 'OrderPaid', at: 1 }]);
    const news = [
      entry('order:o1', [{ type: 'StepSucceeded', stepId: 'notify' }, { type: 'CheckoutConfirmed', at: 2 }]),
      entry('order:o1', [{ type: 'OrderShipped', at: 3, releaseDueAt: 9 }]),
      entry('order:o1', [{ type: 'OrderCompleted', at: 4, releasedMinor: 900, feeMinor: 45 }]),
    ];
    expect(holdsOrderNews(bookkeeping)).toBe(false);
    expect(planOrderNotifications(bookkeeping, { ...parties, confirmed: true })).toEqual([]);
    for (const each of news) {
      expect(holdsOrderNews(each)).toBe(true);
      expect(planOrderNotifications(each, { ...parties, confirmed: true }).length).toBeGreaterThan(0);
    }
  });
});

describe('wallet notifications', () => {
  it('tell only the owner\'s own deposits and withdrawals; order money is told by the order', () => {
    const moves = entry('wallet:b1', [
      { type: 'Deposited', amountMinor: 500 },
      { type: 'DebitedForOrder', amountMinor: 900, orderId: 'o1' },
      { type: 'OrderRefunded', amountMinor: 900, orderId: 'o1' },
      { type: 'Withdrawn', amountMinor: 100 },
    ]);
    expect(planWalletNotifications(moves).map((planned) => planned.data)).toEqual([
      { change: 'Deposited', amountMinor: 500, orderId: null },
      { change: 'Withdrawn', amountMinor: 100, orderId: null },
    ]);
    expect(planWalletNotifications(entry('wallet:s1', [{ type: 'PendingCredited', amountMinor: 900, orderId: 'o1' }]))).toEqual([]);
  });
});
