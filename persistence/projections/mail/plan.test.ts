import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../adapters/journal.ts';
import { formatUsd, mayProduceMail, planOrderMails } from './plan.ts';

const entry = (events: unknown[]): JournalEntry => ({ key: 'order:ord-123456789', seq: 4, events, commandId: 'c', at: 1_000 });
const parties = { buyerEmail: 'b@example.test', sellerEmail: 's@example.test', sellerName: 'Shop', totalMinor: 123_456 };

describe('mail planning', () => {
  it('formats cents as dollars without floats', () => {
    expect([formatUsd(0), formatUsd(5), formatUsd(123_456), formatUsd(100_000_000), formatUsd(-250)]).toEqual(['$0.00', '$0.05', '$1,234.56', '$1,000,000.00', '-$2.50']);
  });

  it('plans one mail per kind and order, keyed for idempotency', () => {
    const planned = planOrderMails(entry([{ type: 'CheckoutConfirmed', at: 1 }, { type: 'OrderShipped', at: 1, releaseDueAt: 2 }, { type: 'OrderCompleted', reason: 'buyer_confirmed', releasedMinor: 10_000, feeMinor: 500, at: 1 }]), parties);
    expect(planned.map((mail) => [mail.id, mail.to])).toEqual([
      ['order-confirmation:ord-123456789', 'b@example.test'],
      ['new-order:ord-123456789', 's@example.test'],
      ['shipped:ord-123456789', 'b@example.test'],
      ['funds-released:ord-123456789', 's@example.test'],
    ]);
    expect(planned[3]?.text).toContain('$95.00');
    expect(planned[0]?.text).toContain('$1,234.56');
  });

  it('skips a party without an address and entries without mail events', () => {
    expect(planOrderMails(entry([{ type: 'CheckoutConfirmed', at: 1 }]), { ...parties, buyerEmail: null }).map((mail) => mail.kind)).toEqual(['new-order']);
    expect(mayProduceMail(entry([{ type: 'OrderPaid', at: 1 }]))).toBe(false);
    expect(mayProduceMail({ ...entry([{ type: 'OrderShipped' }]), key: 'wallet:x' })).toBe(false);
  });
});
