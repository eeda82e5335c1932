/**
 * The product read cache in process memory (the embedded mode, one process). An entry lives for
 * the TTL from the injected clock. A read that loaded a product before an invalidation does not
 * store it afterwards (it would be stale until the TTL ends): each read notes the invalidation
 * count when it starts and stores only if no invalidation of that product came since.
 */
import type { Clock } from '../../runtime/clock.ts';
import type { ProductDto } from '../api-types.ts';
import type { ProductCache } from '../context.ts';
import { gatewayLimits } from '../app/limits.ts';

export class InProcessProductCache implements ProductCache {
  private readonly entries = new Map<string, { product: ProductDto; expiresAt: number }>();
  /** The invalidation count at which each product was last invalidated, kept while reads run. */
  private readonly invalidatedAt = new Map<string, number>();
  private invalidations = 0;
  private loadsRunning = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  async read(productId: string, load: () => Promise<ProductDto | null>): Promise<ProductDto | null> {
    const cached = this.entries.get(productId);
    if (cached !== undefined && cached.expiresAt > this.clock.now()) return cached.product;
    const startedAt = this.invalidations;
    this.loadsRunning += 1;
    try {
      const product = await load();
      const mark = this.invalidatedAt.get(productId);
      const invalidatedSince = mark !== undefined && mark >= startedAt;
      if (product !== null && this.ttlMs > 0 && !invalidatedSince) this.store(productId, product);
      return product;
    } finally {
      this.loadsRunning -= 1;
      // Only a running read compares against these marks, so with none running they can all go.
      if (this.loadsRunning === 0) this.invalidatedAt.clear();
    }
  }

  async invalidate(productIds: readonly string[]): Promise<void> {
    for (const productId of productIds) {
      this.entries.delete(productId);
      if (this.loadsRunning > 0) this.invalidatedAt.set(productId, this.invalidations);
      this.invalidations += 1;
    }
  }

  private store(productId: string, product: ProductDto): void {
    const now = this.clock.now();
    this.entries.delete(productId);
    if (this.entries.size >= gatewayLimits.productCache.maxEntries) {
      for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (this.entries.size >= gatewayLimits.productCache.maxEntries && oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(productId, { product, expiresAt: now + this.ttlMs });
  }
}
