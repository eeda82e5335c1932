import { describe, expect, it } from 'vitest';
import type { NotificationDto } from '../../../gateway/api-types.ts';
import { toastsFor } from './toasts-group.ts';

let seq = 0;
const status = (orderId: string, value: 'SHIPPED' | 'DELIVERED' | 'COMPLETED'): NotificationDto =>
  ({ type: 'notification', seq: ++seq, at: 0, event: 'order.status', data: { orderId, orderNumber: orderId.toUpperCase(), status: value, role: 'seller' } });
const released = (orderId: string): NotificationDto =>
  ({ type: 'notification', seq: ++seq, at: 0, event: 'funds.released', data: { orderId, orderNumber: orderId.toUpperCase(), amountMinor: 900, feeMinor: 100, currency: 'USD' } });
const deposit: NotificationDto = { type: 'notification', seq: 99, at: 0, event: 'wallet.changed', data: { change: 'Deposited', amountMinor: 500, orderId: null } };

describe('toasts for a burst of notifications', () => {
  it('one order confirmed by its buyer: one toast, the money one', () => {
    expect(toastsFor([status('a1', 'DELIVERED'), status('a1', 'COMPLETED'), released('a1')], new Set())).toEqual([
      { text: '💰 Funds released: $9.00 from order #A1', tone: 'money' },
    ]);
  });

  it('no toast for the status the person caused, nor for their own wallet moves', () => {
    expect(toastsFor([status('a1', 'SHIPPED'), deposit], new Set(['a1:SHIPPED']))).toEqual([]);
  });

  it('what someone else does next to the same order still toasts', () => {
    const burst = [status('a1', 'DELIVERED'), status('a1', 'COMPLETED'), released('a1')];
    expect(toastsFor(burst, new Set(['a1:SHIPPED'])).map((view) => view.tone)).toEqual(['money']);
  });

  it('several orders at once: one grouped toast naming three and counting the rest', () => {
    const burst = [status('a1', 'SHIPPED'), status('b2', 'SHIPPED'), released('c3'), status('d4', 'SHIPPED')];
    expect(toastsFor(burst, new Set())).toEqual([
      { text: '4 updates: Order #A1 is now SHIPPED · Order #B2 is now SHIPPED · 💰 Funds released: $9.00 from order #C3 and 1 more', tone: 'money' },
    ]);
  });
});
