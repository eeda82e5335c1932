/** Builds the auth parts of the gateway context. */
import type { Db } from '../../persistence/adapters/db.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Config } from '../app/config.ts';
import type { PasswordHasher, RateLimiter, SessionService, TokenService, UserStore } from '../context.ts';
import type { IdGenerator } from '../../runtime/ids.ts';
import { SqlSessionStore } from '../../persistence/adapters/sessions/sql-session-store.ts';
import { InProcessSessionCache, type SessionCache } from './session-cache.ts';
import { StoredSessions } from './sessions.ts';
import { Argon2Hasher } from './passwords.ts';
import { InProcessRateLimiter } from './rate-limit.ts';
import { resolveJwtSecret } from './secret.ts';
import { JoseTokenService } from './tokens.ts';
import { SqlUserStore } from '../../persistence/adapters/users.ts';
import { gatewayLimits } from '../app/limits.ts';

export interface AuthParts {
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly loginLimiter: RateLimiter;
  readonly registerLimiter: RateLimiter;
  readonly sessions: SessionService;
}

export interface AuthOptions {
  readonly db: Db;
  readonly config: Config;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The shared Redis parts when REDIS_URL is set (gateway/redis/bus.ts); in process otherwise. */
  readonly loginLimiter?: RateLimiter;
  readonly registerLimiter?: RateLimiter;
  readonly sessionCache?: SessionCache;
}

export async function createAuth(options: AuthOptions): Promise<AuthParts> {
  const { clock } = options;
  const secret = await resolveJwtSecret(options.config.gateway.jwtSecret, options.config.dataDir);
  const tokens = new JoseTokenService(secret, clock);
  const sessionCache = options.sessionCache ?? new InProcessSessionCache(gatewayLimits.sessions.cacheTtlMs, clock);
  return {
    users: new SqlUserStore(options.db),
    passwords: new Argon2Hasher(),
    tokens,
    loginLimiter: options.loginLimiter ?? new InProcessRateLimiter(options.config.gateway.loginsPerMinute, gatewayLimits.rate.loginWindowMs, clock),
    registerLimiter: options.registerLimiter ?? new InProcessRateLimiter(options.config.gateway.registrationsPerHour, gatewayLimits.rate.registerWindowMs, clock),
    sessions: new StoredSessions(new SqlSessionStore(options.db), sessionCache, tokens, clock, options.ids),
  };
}
