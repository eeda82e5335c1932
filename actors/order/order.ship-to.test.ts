/** The ship-to address (issue #15 §5): carried from PlaceOrder onto OrderPlaced, part of the placement. */
import { describe, expect, it } from 'vitest';
import type { OrderEvent } from './order-messages.ts';
import { cmd, ev, given, stateOf } from './order.fixtures.ts';
import type { ShipToAddress } from './ship-to.ts';

const home: ShipToAddress = { name: 'Alice Martin', line1: '12 Rue des Lilas', line2: 'Apt 3', city: 'Lyon', postalCode: '69003', countryCode: 'FR' };

describe('PlaceOrder with a ship-to address', () => {
  it('records the address on OrderPlaced and keeps it in the state', () => {
    const [, ...placingRest] = given().when(cmd.place()).thenAccepts();
    const history = given().when(cmd.place({ shipTo: home })).then({ ...ev.placed(), shipTo: home } as OrderEvent, ...placingRest);
    expect(stateOf(history).shipTo).toEqual(home);
  });

  it('has no address when placed without one, as every order placed before addresses existed', () => {
    const history = given().when(cmd.place()).thenAccepts((events) => expect(events[0]).not.toHaveProperty('shipTo'));
    expect(stateOf(history).shipTo).toBeNull();
  });

  it('accepts the same placement with the same address again, and refuses another address', () => {
    const placed = given().when(cmd.place({ shipTo: home })).thenAccepts();
    given(...placed).when(cmd.place({ shipTo: { ...home } })).then();
    given(...placed).when(cmd.place({ shipTo: { ...home, line2: null } })).thenRejects('order_exists');
    given(...placed).when(cmd.place()).thenRejects('order_exists');
    const without = given().when(cmd.place()).thenAccepts();
    given(...without).when(cmd.place({ shipTo: home })).thenRejects('order_exists');
  });
});
