/**
 * The session cache (issue #14): what the gateway last read of a session, so the check on every
 * request and upgrade costs a map lookup (or one Redis GET when REDIS_URL is set) instead of a
 * query. Revocation goes through it too: `revoke` forgets the ids in every process that shares
 * the cache and tells each process's listeners, which close that session's sockets.
 */
import type { Clock } from '../../runtime/clock.ts';
import { gatewayLimits } from '../app/limits.ts';

export interface CachedSession {
  readonly userId: string;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
}

export interface SessionCache {
  /** Undefined when this cache does not know the session: the caller reads the store. */
  get(id: string): Promise<CachedSession | undefined>;
  put(id: string, session: CachedSession): Promise<void>;
  /** Forgets the sessions everywhere and runs every process's `onRevoked` listeners for each id. */
  revoke(ids: readonly string[]): Promise<void>;
  onRevoked(listener: (id: string) => void): void;
}

/** The embedded mode's cache: one process, so revocation only has local listeners to tell. */
export class InProcessSessionCache implements SessionCache {
  private readonly entries = new Map<string, { session: CachedSession; storedAt: number }>();
  private readonly listeners: ((id: string) => void)[] = [];

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  async get(id: string): Promise<CachedSession | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (this.clock.now() - entry.storedAt >= this.ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.session;
  }

  async put(id: string, session: CachedSession): Promise<void> {
    this.entries.delete(id);
    if (this.entries.size >= gatewayLimits.sessionCache.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(id, { session, storedAt: this.clock.now() });
  }

  async revoke(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.entries.delete(id);
    for (const id of ids) for (const listener of this.listeners) listener(id);
  }

  onRevoked(listener: (id: string) => void): void {
    this.listeners.push(listener);
  }
}
