/** The ship-to address through a checkout (issue #15 §5): on CheckoutStarted and on every PlaceOrder. */
import { describe, expect, it } from 'vitest';
import type { OrderCommand } from '../order/order-messages.ts';
import type { ShipToAddress } from '../order/ship-to.ts';
import { deciderSpecification } from '../testing/decider-spec.ts';
import type { CartLine, CheckoutCommand } from './checkout-messages.ts';
import { checkoutDecider, commandId } from './checkout.ts';

const now = Date.UTC(2026, 0, 1);
const { given, stateOf } = deciderSpecification(checkoutDecider, { now });

const home: ShipToAddress = { name: 'Bob Stone', line1: '1 Main St', line2: null, city: 'Springfield', postalCode: '62701', countryCode: 'US' };
const lines: CartLine[] = [
  { sellerId: 'zed', productId: 'pen', qty: 1 },
  { sellerId: 'amy', productId: 'tea', qty: 2 },
];
const start = (shipTo?: ShipToAddress): CheckoutCommand => ({ type: 'StartCheckout', checkoutId: 'k1', buyerId: 'b1', lines, ...(shipTo === undefined ? {} : { shipTo }) });

describe('StartCheckout with a ship-to address', () => {
  it('records the address on CheckoutStarted and sends it with every PlaceOrder', () => {
    const history = given().when(start(home)).thenAccepts((events) => {
      expect(events[0]).toMatchObject({ type: 'CheckoutStarted', shipTo: home });
      const places = events.filter((event) => event.type === 'StepStarted').map((event) => event.command as OrderCommand);
      expect(places).toHaveLength(2);
      for (const place of places) expect(place).toMatchObject({ type: 'PlaceOrder', shipTo: home });
    });
    expect(stateOf(history).shipTo).toEqual(home);
  });

  it('records no address when none is given', () => {
    const history = given().when(start()).thenAccepts((events) => {
      expect(events[0]).not.toHaveProperty('shipTo');
      for (const event of events) if (event.type === 'StepStarted') expect(event.command).not.toHaveProperty('shipTo');
    });
    expect(stateOf(history).shipTo).toBeNull();
  });

  it('accepts a retry to the same address, and refuses the same checkout id to another address', () => {
    const started = given().when(start(home)).thenAccepts();
    given(...started).when(start({ ...home })).then();
    given(...started).when(start({ ...home, city: 'Shelbyville' })).thenRejects('checkout_exists');
    given(...started).when(start()).thenRejects('checkout_exists');
  });

  it('gives a different address a different command id, and no address the id it always had', () => {
    expect(commandId(start(home))).not.toBe(commandId(start()));
    expect(commandId(start(home))).not.toBe(commandId(start({ ...home, postalCode: '62702' })));
    expect(commandId(start(home))).toBe(commandId(start({ ...home })));
    // The fingerprint of a cart without an address is what older journal entries hold.
    expect(commandId(start())).toMatch(/^start:[0-9a-z]+$/);
  });
});
