/**
 * A fixed-window rate limiter in process memory (the embedded mode; Redis shares it across
 * processes when REDIS_URL is set, issue #6). Windows are counted per key from the injected clock.
 */
import type { Clock } from '../../runtime/clock.ts';
import type { RateDecision, RateLimiter } from '../context.ts';
import { gatewayLimits } from '../app/limits.ts';

export class InProcessRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  async hit(key: string): Promise<RateDecision> {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      this.makeRoom(now);
      window = { startedAt: now, count: 0 };
      this.windows.delete(key);
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= this.limit) return { allowed: true, retryAfterMs: 0 };
    return { allowed: false, retryAfterMs: window.startedAt + this.windowMs - now };
  }

  private makeRoom(now: number): void {
    if (this.windows.size < gatewayLimits.rate.maxKeys) return;
    for (const [key, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    // Maps iterate in insertion order: the first key is the oldest window.
    const oldest = this.windows.keys().next();
    if (this.windows.size >= gatewayLimits.rate.maxKeys && oldest.done !== true) this.windows.delete(oldest.value);
  }
}
