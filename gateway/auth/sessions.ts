/**
 * Revocable sessions (issue #14, DESIGN.md §5). Every access token carries a session id (`sid`);
 * a token authenticates only while its session exists, has been used within the idle timeout,
 * and is younger than its absolute cap. Logout removes the session, "sign out everywhere"
 * removes all of a user's, and each removal closes the session's sockets in every process.
 *
 * The check runs on every request and upgrade, so it reads the cache (gateway/auth/session-cache.ts)
 * and goes to the store only on a miss; the idle clock is written back at most once per
 * `touchEveryMs`, so an active session costs about one query a minute.
 */
import type { SessionStore } from '../../persistence/adapters/sessions/session-store.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { IdGenerator } from '../../runtime/ids.ts';
import type { IssuedToken, SessionService, TokenService } from '../context.ts';
import type { Principal } from '../http.ts';
import type { CachedSession, SessionCache } from './session-cache.ts';
import { gatewayLimits } from '../app/limits.ts';

/** Why a socket of a session is closed: a WebSocket application code (4000–4999). */
export const sessionEndedCloseCode = 4001;

export class StoredSessions implements SessionService {
  private readonly endedListeners = new Map<string, Set<() => void>>();

  constructor(
    private readonly store: SessionStore,
    private readonly cache: SessionCache,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {
    cache.onRevoked((id) => this.ended(id));
  }

  async signIn(principal: Omit<Principal, 'sessionId'>): Promise<IssuedToken> {
    const now = this.clock.now();
    const session = { id: this.ids.next('session'), userId: principal.userId, createdAt: now, lastSeenAt: now, expiresAt: now + gatewayLimits.sessions.absoluteLifetimeMs };
    const dropped = await this.store.open(session, now - gatewayLimits.sessions.idleTimeoutMs, gatewayLimits.sessions.maxPerUser);
    await this.cache.revoke(dropped);
    await this.cache.put(session.id, session);
    return this.tokens.issue({ ...principal, sessionId: session.id });
  }

  async authenticate(token: string): Promise<Principal | null> {
    const principal = await this.tokens.verify(token);
    if (principal === null) return null;
    return (await this.isLive(principal)) ? principal : null;
  }

  async isLive(principal: Principal): Promise<boolean> {
    const now = this.clock.now();
    const id = principal.sessionId;
    let session: CachedSession | undefined | null = await this.cache.get(id);
    if (session === undefined) {
      session = await this.store.find(id);
      if (session !== null) await this.cache.put(id, session);
    }
    if (session === null || session.userId !== principal.userId) return false;
    if (now >= session.expiresAt || now - session.lastSeenAt >= gatewayLimits.sessions.idleTimeoutMs) {
      await this.signOut(id);
      return false;
    }
    if (now - session.lastSeenAt >= gatewayLimits.sessions.touchEveryMs) {
      // Removed meanwhile (another process signed it out): the request is refused like any other.
      if (!(await this.store.touch(id, now))) return false;
      await this.cache.put(id, { ...session, lastSeenAt: now });
    }
    return true;
  }

  async signOut(sessionId: string): Promise<void> {
    await this.store.remove(sessionId);
    await this.cache.revoke([sessionId]);
  }

  async signOutEverywhere(userId: string): Promise<number> {
    const ids = await this.store.removeForUser(userId);
    await this.cache.revoke(ids);
    return ids.length;
  }

  onEnded(sessionId: string, listener: () => void): () => void {
    let listeners = this.endedListeners.get(sessionId);
    if (listeners === undefined) {
      listeners = new Set();
      this.endedListeners.set(sessionId, listeners);
    }
    listeners.add(listener);
    return () => {
      const current = this.endedListeners.get(sessionId);
      current?.delete(listener);
      if (current?.size === 0) this.endedListeners.delete(sessionId);
    };
  }

  private ended(sessionId: string): void {
    const listeners = this.endedListeners.get(sessionId);
    if (listeners === undefined) return;
    this.endedListeners.delete(sessionId);
    for (const listener of listeners) listener();
  }
}
