/**
 * The session cache shared by every gateway process (issue #14): one Redis key per session with
 * a TTL, and one channel on which a revocation reaches every process, so a logout on one closes
 * the session's sockets on all. There is no local layer in front of Redis, so no process can hold
 * a session that another has revoked. While Redis is away `get` answers "unknown" (the caller
 * reads the store, which is the truth) and revocations reach only this process's sockets; the
 * others still refuse the session's next request or command, since the store no longer has it.
 */
import * as v from 'valibot';
import type { CachedSession, SessionCache } from '../auth/session-cache.ts';
import type { RedisLink } from './link.ts';

const revokedChannel = 'sessions:revoked';
const cachedSession = v.object({ userId: v.string(), lastSeenAt: v.number(), expiresAt: v.number() });
const revokedIds = v.array(v.string());

export class RedisSessionCache implements SessionCache {
  private readonly listeners: ((id: string) => void)[] = [];

  private constructor(
    private readonly link: RedisLink,
    private readonly ttlMs: number,
  ) {}

  static async open(link: RedisLink, ttlMs: number): Promise<RedisSessionCache> {
    const cache = new RedisSessionCache(link, ttlMs);
    await link.listen(revokedChannel, (message) => cache.receive(message));
    return cache;
  }

  private key(id: string): string {
    return `${this.link.prefix}session:${id}`;
  }

  async get(id: string): Promise<CachedSession | undefined> {
    if (!this.link.usable()) return undefined;
    try {
      const text = await this.link.command((client) => client.get(this.key(id)));
      if (text === null) return undefined;
      const parsed = v.safeParse(cachedSession, JSON.parse(text));
      return parsed.success ? parsed.output : undefined;
    } catch {
      return undefined;
    }
  }

  async put(id: string, session: CachedSession): Promise<void> {
    if (!this.link.usable()) return;
    await this.link.command((client) => client.set(this.key(id), JSON.stringify(session), 'PX', this.ttlMs)).catch(() => {});
  }

  async revoke(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // Local sockets are told at once; the channel echo tells them again, which closing tolerates.
    this.notify(ids);
    if (!this.link.usable()) return;
    await this.link.command((client) => client.del(...ids.map((id) => this.key(id)))).catch(() => {});
    await this.link.command((client) => client.publish(this.link.prefix + revokedChannel, JSON.stringify(ids))).catch(() => {});
  }

  onRevoked(listener: (id: string) => void): void {
    this.listeners.push(listener);
  }

  private receive(message: string): void {
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      return;
    }
    const parsed = v.safeParse(revokedIds, value);
    if (parsed.success) this.notify(parsed.output);
  }

  private notify(ids: readonly string[]): void {
    for (const id of ids) for (const listener of this.listeners) listener(id);
  }
}
