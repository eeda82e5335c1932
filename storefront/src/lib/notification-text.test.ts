import { describe, expect, it } from 'vitest';
import { notificationText } from './notification-text.ts';

describe('toast wording (ui-contract.md)', () => {
  it('funds released', () => {
    const view = notificationText({ type: 'notification', seq: 7, at: 0, event: 'funds.released', data: { orderId: 'o1', orderNumber: '3F2A91C0', amountMinor: 79_900, feeMinor: 0, currency: 'USD' } });
    expect(view.text).toBe('💰 Funds released: $799.00 from order #3F2A91C0');
  });

  it('new order for the seller', () => {
    const view = notificationText({ type: 'notification', seq: 1, at: 0, event: 'order.new', data: { orderId: 'o1', orderNumber: '3F2A91C0', buyerId: 'b', totalMinor: 79_900, itemCount: 1 } });
    expect(view.text).toBe('🛒 New order #3F2A91C0: $799.00');
  });

  it('order status', () => {
    const view = notificationText({ type: 'notification', seq: 2, at: 0, event: 'order.status', data: { orderId: 'o1', orderNumber: '3F2A91C0', status: 'SHIPPED', role: 'buyer' } });
    expect(view.text).toBe('Order #3F2A91C0 is now SHIPPED');
  });

  it('wallet change in words, unknown changes by name', () => {
    const known = notificationText({ type: 'notification', seq: 3, at: 0, event: 'wallet.changed', data: { change: 'Deposited', amountMinor: 2_500, orderId: null } });
    expect(known.text).toBe('👛 Wallet: deposit of $25.00');
    const unknown = notificationText({ type: 'notification', seq: 4, at: 0, event: 'wallet.changed', data: { change: 'SomethingNew', amountMinor: 1, orderId: null } });
    expect(unknown.text).toBe('👛 Wallet: SomethingNew $0.01');
  });
});
