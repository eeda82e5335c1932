/**
 * The login limiter shared by every gateway process (issue #6). It keeps the in-process limiter's
 * semantics exactly: a fixed window that starts at a key's first hit, read from the injected
 * clock, and a `retryAfterMs` until that window ends. One Lua script reads, resets and counts the
 * window, so concurrent hits from several processes cannot both see a fresh window. While Redis is
 * unreachable the process counts locally instead, so login keeps working (limited per process).
 */
import type { Clock } from '../../runtime/clock.ts';
import { InProcessRateLimiter } from '../auth/rate-limit.ts';
import type { RateDecision, RateLimiter } from '../context.ts';
import type { RedisLink } from './link.ts';

// KEYS[1] the window hash; ARGV now, windowMs. Returns {count, windowStartedAt}. The key expires
// with its window in Redis time as well, so keys of idle IPs do not pile up.
const hitScript = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local started = tonumber(redis.call('HGET', KEYS[1], 'started'))
if started == nil or now - started >= window then
  started = now
  redis.call('HSET', KEYS[1], 'started', now, 'count', 0)
  redis.call('PEXPIRE', KEYS[1], window)
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
return {count, started}
`;

export class RedisRateLimiter implements RateLimiter {
  private readonly fallback: InProcessRateLimiter;

  constructor(
    private readonly link: RedisLink,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    this.fallback = new InProcessRateLimiter(limit, windowMs, clock);
  }

  async hit(key: string): Promise<RateDecision> {
    if (!this.link.usable()) return this.fallback.hit(key);
    const now = this.clock.now();
    let reply: unknown;
    try {
      reply = await this.link.command((client) => client.eval(hitScript, 1, `${this.link.prefix}rate:${key}`, now, this.windowMs));
    } catch {
      return this.fallback.hit(key);
    }
    const [count, startedAt] = Array.isArray(reply) ? reply.map(Number) : [];
    if (count === undefined || startedAt === undefined || !Number.isFinite(count) || !Number.isFinite(startedAt)) return this.fallback.hit(key);
    if (count <= this.limit) return { allowed: true, retryAfterMs: 0 };
    // Another process's clock may be a little ahead; never answer a wait longer than one window.
    return { allowed: false, retryAfterMs: Math.min(this.windowMs, Math.max(1, startedAt + this.windowMs - now)) };
  }
}
