/**
 * In-process live delivery: each connected socket subscribes for its user. With REDIS_URL the
 * same interface fans out across gateway processes (issue #6); this is the embedded mode.
 */
import type { NotificationDto } from '../api-types.ts';
import type { NotificationHub } from '../context.ts';

export type Subscriber = (notification: NotificationDto) => void;

export class InProcessHub implements NotificationHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private count = 0;

  subscribe(userId: string, subscriber: Subscriber): () => void {
    const set = this.subscribers.get(userId) ?? new Set<Subscriber>();
    set.add(subscriber);
    this.subscribers.set(userId, set);
    this.count += 1;
    return () => {
      if (!set.delete(subscriber)) return;
      this.count -= 1;
      if (set.size === 0) this.subscribers.delete(userId);
    };
  }

  publish(userId: string, notification: NotificationDto): void {
    for (const subscriber of this.subscribers.get(userId) ?? []) {
      // A failing socket must not stop delivery to the others, nor the event processor.
      try {
        subscriber(notification);
      } catch {
        // The session closes itself on send failures; it resumes from the store on reconnect.
      }
    }
  }

  connections(): number {
    return this.count;
  }
}
