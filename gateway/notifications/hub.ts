/**
 * In-process live delivery: each connected socket subscribes for its user. This is the embedded
 * mode; with REDIS_URL, gateway/redis/hub.ts extends it to fan out across gateway processes.
 */
import type { NotificationDto } from '../api-types.ts';
import type { NotificationHub } from '../context.ts';

export type Subscriber = (notification: NotificationDto) => void;

interface Subscription {
  readonly deliver: Subscriber;
  /** Called when live delivery may have missed notifications (Redis was away): catch up from the store. */
  readonly missed: () => void;
}

export class InProcessHub implements NotificationHub {
  private readonly subscribers = new Map<string, Set<Subscription>>();
  private count = 0;

  subscribe(userId: string, deliver: Subscriber, missed: () => void = () => {}): () => void {
    const set = this.subscribers.get(userId) ?? new Set<Subscription>();
    const subscriber = { deliver, missed };
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
        subscriber.deliver(notification);
      } catch {
        // The session closes itself on send failures; it resumes from the store on reconnect.
      }
    }
  }

  /** Tells every subscriber that live delivery may have had gaps, so each catches up from the store. */
  resync(): void {
    for (const set of this.subscribers.values()) {
      for (const subscriber of set) {
        try {
          subscriber.missed();
        } catch {
          // As in publish: one failing socket must not stop the others.
        }
      }
    }
  }

  connections(): number {
    return this.count;
  }
}
