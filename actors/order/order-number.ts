/**
 * A short label for people ("order #3F2A91C0"); the order id stays the reference. Order ids
 * share long prefixes (`<buyerId>_<checkoutId>-<n>`), so the label is a hash of the whole id
 * (32-bit FNV-1a as 8 hex digits) rather than a prefix, which would give every order of one
 * buyer the same number. Two orders may still share a label (about 1 in 4 billion per pair);
 * it is for reading, never for lookups.
 */
export function orderNumber(orderId: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < orderId.length; index += 1) {
    hash ^= orderId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).toUpperCase().padStart(8, '0');
}
