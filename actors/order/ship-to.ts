/**
 * Where an order goes: the ship-to address the buyer chose at checkout (issue #15 §5). It is part
 * of the order's recorded facts (StartCheckout → CheckoutStarted → PlaceOrder → OrderPlaced), so
 * every projection rebuilt from the journal shows it. The gateway validates its fields; the
 * deciders only carry it. Orders placed before addresses existed have none.
 */
export interface ShipToAddress {
  readonly name: string;
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2, upper case (`US`, `DE`). */
  readonly countryCode: string;
}

/** Field by field, so two addresses that print the same are the same. */
export function sameShipTo(left: ShipToAddress | null, right: ShipToAddress | null): boolean {
  if (left === null || right === null) return left === right;
  return (
    left.name === right.name &&
    left.line1 === right.line1 &&
    left.line2 === right.line2 &&
    left.city === right.city &&
    left.postalCode === right.postalCode &&
    left.countryCode === right.countryCode
  );
}
