/**
 * The product read cache in Redis, shared by every gateway process (issue #6). Each product has a
 * value key (JSON, expiring after the TTL) and a generation key that every invalidation bumps. A
 * read that misses notes the generation, loads from the read model, and stores the value only if
 * the generation is unchanged (one Lua script), so a load that raced an invalidation cannot leave
 * a stale value behind for a whole TTL.
 *
 * While Redis is unreachable reads go straight to the read model. There is deliberately no
 * process-local layer: invalidations from another process's event processor would not reach it.
 * An invalidation that fails during an outage leaves at most one stale value, which expires
 * within the TTL.
 */
import type { ProductDto } from '../api-types.ts';
import type { ProductCache } from '../context.ts';
import type { RedisLink } from './link.ts';

/** How long a generation key outlives its last invalidation. It must outlast the slowest load
 *  that could race it (a load is bounded by the SQL timeouts, seconds); each costs ~60 bytes. */
const generationTtlMs = 10 * 60_000;

// KEYS[1] value, KEYS[2] generation; ARGV generation seen, value, ttlMs.
const storeIfUnchanged = `
if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

export class RedisProductCache implements ProductCache {
  constructor(
    private readonly link: RedisLink,
    private readonly ttlMs: number,
  ) {}

  private keys(productId: string): [value: string, generation: string] {
    return [`${this.link.prefix}product:${productId}`, `${this.link.prefix}product-gen:${productId}`];
  }

  async read(productId: string, load: () => Promise<ProductDto | null>): Promise<ProductDto | null> {
    if (!this.link.usable()) return load();
    const [valueKey, generationKey] = this.keys(productId);
    let cached: (string | null)[];
    try {
      cached = await this.link.command((client) => client.mget(valueKey, generationKey));
    } catch {
      return load();
    }
    const [value, generation] = cached;
    if (typeof value === 'string') {
      try {
        return JSON.parse(value) as ProductDto;
      } catch {
        // Not ours or truncated: read through and overwrite it.
      }
    }
    const product = await load();
    if (product !== null && this.link.usable()) {
      const args = [generation ?? '0', JSON.stringify(product), this.ttlMs];
      await this.link.command((client) => client.eval(storeIfUnchanged, 2, valueKey, generationKey, ...args)).catch(() => {});
    }
    return product;
  }

  async invalidate(productIds: readonly string[]): Promise<void> {
    if (productIds.length === 0 || !this.link.usable()) return;
    const invalidation = this.link.command((client) => {
      const batch = client.multi();
      for (const productId of productIds) {
        const [valueKey, generationKey] = this.keys(productId);
        batch.incr(generationKey).pexpire(generationKey, generationTtlMs).del(valueKey);
      }
      return batch.exec();
    });
    await invalidation.catch(() => {});
  }
}
