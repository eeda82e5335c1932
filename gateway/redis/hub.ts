/**
 * Notification fan-out across gateway processes (issue #6). Any process's event processor may
 * store a notification; its user's sockets may be on any process. Each publish is delivered to
 * this process's sockets at once and also published on one Redis channel; every other process
 * delivers it to its own sockets. Local delivery never waits for Redis, so with Redis down a
 * single process still works; a socket on another process then misses the live message but not
 * the notification, which is in the store. When a process's Redis comes back it tells its own
 * sockets and, through the channel, every other process's sockets to catch up from the store
 * (gateway/ws/session.ts), so what was missed arrives without waiting for the next notification
 * or a reconnect. That costs one store read per connected socket per recovery.
 *
 * One channel for all users keeps subscriptions constant (no SUBSCRIBE per socket); it costs every
 * process one small message per notification, which is fine for a handful of gateway processes.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { NotificationDto } from '../api-types.ts';
import { InProcessHub } from '../notifications/hub.ts';
import type { RedisLink } from './link.ts';

export const notificationChannel = 'notifications';

const envelope = v.union([
  v.object({
    origin: v.string(),
    userId: v.pipe(v.string(), v.minLength(1)),
    notification: v.looseObject({ type: v.literal('notification'), seq: v.pipe(v.number(), v.integer(), v.minValue(1)), event: v.string() }),
  }),
  v.object({ origin: v.string(), resync: v.literal(true) }),
]);

export class RedisHub extends InProcessHub {
  /** Tells this process's own messages apart when they come back from the channel. Random, not
   *  from the injected ids: two processes seeded alike must still differ, and nothing replays it. */
  private readonly origin = randomUUID();

  private constructor(private readonly link: RedisLink) {
    super();
  }

  static async open(link: RedisLink): Promise<RedisHub> {
    const hub = new RedisHub(link);
    await link.listen(notificationChannel, (message) => hub.receive(message));
    link.onRecovered(() => hub.recovered());
    return hub;
  }

  override publish(userId: string, notification: NotificationDto): void {
    super.publish(userId, notification);
    if (!this.link.usable()) return;
    const message = JSON.stringify({ origin: this.origin, userId, notification });
    // A failed publish is the outage the link reports; the store still holds the notification.
    this.link.command((client) => client.publish(this.link.prefix + notificationChannel, message)).catch(() => {});
  }

  private recovered(): void {
    this.resync();
    const message = JSON.stringify({ origin: this.origin, resync: true });
    this.link.command((client) => client.publish(this.link.prefix + notificationChannel, message)).catch(() => {});
  }

  private receive(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const result = v.safeParse(envelope, parsed);
    if (!result.success || result.output.origin === this.origin) return;
    if ('resync' in result.output) this.resync();
    else super.publish(result.output.userId, result.output.notification as unknown as NotificationDto);
  }
}
