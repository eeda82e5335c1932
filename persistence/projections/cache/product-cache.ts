/** The product read cache port: the cache projection invalidates it, the gateway reads through it. */
import type { ProductDto } from '../views.ts';

/**
 * A short read cache for `GET /api/products/:id` (issue #6): Redis when REDIS_URL is set, else in
 * process. The event processor invalidates a product after the read model has changed it.
 */
export interface ProductCache {
  /** The cached product, else what `load` reads (cached for the TTL unless invalidated meanwhile). */
  read(productId: string, load: () => Promise<ProductDto | null>): Promise<ProductDto | null>;
  /** Forgets the products, so the next read loads them again. Never throws. */
  invalidate(productIds: readonly string[]): Promise<void>;
}
