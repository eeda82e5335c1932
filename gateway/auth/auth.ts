/** Builds the auth parts of the gateway context. */
import type { Db } from '../../persistence/adapters/db.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Config } from '../app/config.ts';
import type { PasswordHasher, RateLimiter, TokenService, UserStore } from '../context.ts';
import { Argon2Hasher } from './passwords.ts';
import { InProcessRateLimiter, rateLimits } from './rate-limit.ts';
import { resolveJwtSecret } from './secret.ts';
import { JoseTokenService } from './tokens.ts';
import { SqlUserStore } from '../../persistence/adapters/users.ts';

export interface AuthParts {
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly loginLimiter: RateLimiter;
}

/** `loginLimiter` is the shared Redis limiter when REDIS_URL is set (gateway/redis/bus.ts); in process otherwise. */
export async function createAuth(options: { readonly db: Db; readonly config: Config; readonly clock: Clock; readonly loginLimiter?: RateLimiter }): Promise<AuthParts> {
  const secret = await resolveJwtSecret(options.config.gateway.jwtSecret, options.config.dataDir);
  return {
    users: new SqlUserStore(options.db),
    passwords: new Argon2Hasher(),
    tokens: new JoseTokenService(secret, options.clock),
    loginLimiter: options.loginLimiter ?? new InProcessRateLimiter(rateLimits.loginAttempts, rateLimits.loginWindowMs, options.clock),
  };
}
