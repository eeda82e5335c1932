/**
 * Everything a route handler may use, passed as its second argument. Each part is a narrow port
 * (gateway/ports.ts): no handler gets the database or the whole system. gateway/server.ts builds
 * one context per process (the ports through gateway/app/ports.ts); handler tests build one over
 * an embedded system with the same function (gateway/testing/gateway-harness.ts).
 */
import type { BlobStore } from '../persistence/adapters/blobs/blob-store.ts';
import type { SearchIndex } from '../persistence/adapters/search/search-index.ts';
import type { Clock } from '../runtime/clock.ts';
import type { GatewayConfig } from './app/config.ts';
import type { IdGenerator } from '../runtime/ids.ts';
import type { Logger } from '../runtime/logger.ts';
import type { GatewayPorts } from './app/ports.ts';
import type { StoredUser, UserStore } from '../persistence/adapters/users.ts';
import type { Principal } from './http.ts';
import type { NotificationHub, NotificationStore } from '../persistence/projections/notifications/ports.ts';
import type { ProductCache } from '../persistence/projections/cache/product-cache.ts';

export type { NotificationHub, NotificationStore, ProductCache, StoredUser, UserStore };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * `hash` null: there is no such account. The hasher still spends the work of a real verify
   * (against a decoy hash) and answers false, so login takes as long for an unknown email as for
   * a known one and does not tell which emails have accounts.
   */
  verify(hash: string | null, password: string): Promise<boolean>;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface TokenService {
  issue(principal: Principal): Promise<IssuedToken>;
  /** Null for a missing, malformed, tampered or expired token; never throws. */
  verify(token: string): Promise<Principal | null>;
}

/** Revocable sessions (gateway/auth/sessions.ts): every token names one, and logout ends it. */
export interface SessionService {
  /** Opens a session for the user and issues its token. */
  signIn(principal: Omit<Principal, 'sessionId'>): Promise<IssuedToken>;
  /** The principal of a valid token whose session is live (and slides its idle timeout); else null. */
  authenticate(token: string): Promise<Principal | null>;
  /** True while the principal's session is live; used by open sockets before each command. */
  isLive(principal: Principal): Promise<boolean>;
  signOut(sessionId: string): Promise<void>;
  /** Ends every session of the user; answers how many there were. */
  signOutEverywhere(userId: string): Promise<number>;
  /** Runs `listener` once when the session ends (in any process); returns the unsubscribe. */
  onEnded(sessionId: string, listener: () => void): () => void;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** When `allowed` is false: milliseconds until the next attempt is allowed. */
  readonly retryAfterMs: number;
}

/** A fixed-window limiter (in-process, or Redis when REDIS_URL is set: issue #6). */
export interface RateLimiter {
  hit(key: string): Promise<RateDecision>;
}

/** The Redis connection as /readyz and /metrics report it. */
export interface RedisHealth {
  /** `degraded`: Redis is unreachable and the process runs on its local fallbacks. */
  status(): 'ok' | 'degraded';
}

export interface Metrics {
  observeRequest(route: string, method: string, status: number, durationMs: number): void;
  /** Prometheus text exposition of every metric, including runtime gauges read at scrape time. */
  render(): string;
  /** Requests answered since start, and those answered 4xx and 5xx, for the operator overview. */
  totals(): { readonly requests: number; readonly rejections: number; readonly errors: number };
}

export interface GatewayContext extends GatewayPorts {
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly search: SearchIndex;
  readonly blobs: BlobStore;
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly loginLimiter: RateLimiter;
  /** Registrations per IP (REGISTRATIONS_PER_HOUR), shared through Redis like the login limiter. */
  readonly registerLimiter: RateLimiter;
  readonly sessions: SessionService;
  readonly notifications: NotificationStore;
  readonly hub: NotificationHub;
  readonly metrics: Metrics;
  readonly productCache: ProductCache;
  /** Absent in the embedded mode (no REDIS_URL). */
  readonly redis?: RedisHealth;
}

