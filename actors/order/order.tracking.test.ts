/** Shipping with a carrier and tracking number (issue #15 §4): data carried on OrderShipped, no new rule. */
import { describe, it } from 'vitest';
import type { OrderCommand } from './order-messages.ts';
import { cmd, given, paidConfirmed, shippedEvents, t1 } from './order.fixtures.ts';

const tracking = { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' };

describe('ShipOrder with tracking', () => {
  it('journals the carrier and tracking number on OrderShipped; everything else is as without', () => {
    const command = { ...cmd.ship(), tracking } as OrderCommand;
    const [shipped, ...rest] = shippedEvents;
    given(...paidConfirmed).when(command, t1).then({ ...shipped, tracking } as typeof shipped & object, ...rest);
  });
});
