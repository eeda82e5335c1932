/**
 * Access tokens: jose HS256 JWTs with a 7-day expiry (DESIGN.md §5), times from the injected
 * clock. Each names its server-side session (`sid`, gateway/auth/sessions.ts), which may end sooner. `verify` answers null for anything that is not a valid, unexpired token of ours.
 */
import { jwtVerify, SignJWT } from 'jose';
import type { UserRole } from '../api-types.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { IssuedToken, TokenService } from '../context.ts';
import type { Principal } from '../http.ts';
import { gatewayLimits } from '../app/limits.ts';

/** A token lives as long as the longest session (gateway/app/limits.ts). */
export const tokenLifetimeMs = gatewayLimits.sessions.absoluteLifetimeMs;
const issuer = 'bazaary';
const roles: ReadonlySet<string> = new Set<UserRole>(['BUYER', 'SELLER', 'ADMIN']);
/** Longer strings are not tokens of ours; refusing them early bounds the work per request. */
const maxTokenLength = 4_096;

export class JoseTokenService implements TokenService {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly clock: Clock) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(principal: Principal): Promise<IssuedToken> {
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    const expiresAt = (nowSeconds * 1000) + tokenLifetimeMs;
    const token = await new SignJWT({ role: principal.role, email: principal.email, sid: principal.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(principal.userId)
      .setIssuer(issuer)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<Principal | null> {
    if (token.length > maxTokenLength) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer, currentDate: new Date(this.clock.now()) });
      const role = payload['role'];
      const email = payload['email'];
      const sessionId = payload['sid'];
      if (typeof payload.sub !== 'string' || typeof role !== 'string' || !roles.has(role) || typeof email !== 'string') return null;
      // A token without a session (issued before sessions existed) cannot be revoked, so it is not accepted.
      if (typeof sessionId !== 'string' || sessionId === '') return null;
      return { userId: payload.sub, role: role as UserRole, email, sessionId };
    } catch {
      return null;
    }
  }
}
