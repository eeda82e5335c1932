/**
 * Product id → seller id, for the checkout's lookup (gateway/routes/orders.ts): one statement
 * per checkout on the request's critical path before this cache (issue #13, load-live). A product
 * never changes seller, so a product found once stays known until it is deleted: the cache
 * consumer forgets a product on ProductDeleted (cache-consumer.ts). Until that deletion reaches
 * this process (another process's, without a shared bus, never does), a checkout of a deleted
 * product still starts and is refused by the seller actor, which alone decides what it sells:
 * the buyer is told the product is gone either way, only later.
 */
export class ProductOwners {
  private readonly owners = new Map<string, string>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** The sellers of the products known here, and of the others as `load` finds them (absent: no such product). */
  async sellersOf(productIds: readonly string[], load: (missing: readonly string[]) => Promise<Map<string, string>>): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const missing: string[] = [];
    for (const productId of productIds) {
      const sellerId = this.owners.get(productId);
      if (sellerId === undefined) missing.push(productId);
      else found.set(productId, sellerId);
    }
    if (missing.length === 0) return found;
    for (const [productId, sellerId] of await load(missing)) {
      this.remember(productId, sellerId);
      found.set(productId, sellerId);
    }
    return found;
  }

  forget(productIds: readonly string[]): void {
    for (const productId of productIds) this.owners.delete(productId);
  }

  private remember(productId: string, sellerId: string): void {
    // A Map iterates in insertion order: past the bound, the product known longest goes first.
    if (!this.owners.has(productId) && this.owners.size >= this.maxEntries) {
      const oldest = this.owners.keys().next();
      if (oldest.done !== true) this.owners.delete(oldest.value);
    }
    this.owners.set(productId, sellerId);
  }
}
