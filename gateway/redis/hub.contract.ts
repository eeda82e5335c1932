/**
 * The notification hub's contract suite (NotificationHub in gateway/context.ts plus the local
 * `subscribe` the WebSocket sessions use). The subject has two nodes: `publisher`, whose event
 * processor stored the notification, and `receiver`, where a user's socket may be. In the embedded
 * mode there is one process, so both are the same in-process hub; with Redis they are two hubs on
 * two connections, as two gateway processes would be. Either way every subscriber of the user
 * receives each notification exactly once, and nobody else receives it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationDto } from '../api-types.ts';
import type { InProcessHub } from '../notifications/hub.ts';

export interface HubSubject {
  readonly publisher: InProcessHub;
  readonly receiver: InProcessHub;
  cleanup(): Promise<void>;
}

function notification(seq: number): NotificationDto {
  return { type: 'notification', seq, event: 'wallet.changed', data: { change: 'Deposited', amountMinor: 100 * seq, orderId: null }, at: seq } as NotificationDto;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function describeHubContract(name: string, open: () => Promise<HubSubject>): void {
  describe(`NotificationHub contract: ${name}`, () => {
    let subject: HubSubject;

    beforeEach(async () => {
      subject = await open();
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('delivers each notification once to every subscriber of its user, on either node, and to no one else', async () => {
      const onReceiver: number[] = [];
      const onPublisher: number[] = [];
      const otherUser: number[] = [];
      subject.receiver.subscribe('alice', (received) => onReceiver.push(received.seq));
      subject.publisher.subscribe('alice', (received) => onPublisher.push(received.seq));
      subject.receiver.subscribe('bob', (received) => otherUser.push(received.seq));
      subject.publisher.publish('alice', notification(1));
      subject.publisher.publish('alice', notification(2));
      // Messages from one publisher arrive in order, so once seq 2 is in, a repeat of 1 would be too.
      await until(() => onReceiver.includes(2) && onPublisher.includes(2), 'seq 2 on both nodes');
      subject.publisher.publish('bob', notification(7));
      await until(() => otherUser.includes(7), "bob's notification");
      expect(onReceiver).toEqual([1, 2]);
      expect(onPublisher).toEqual([1, 2]);
      expect(otherUser).toEqual([7]);
    });

    it('stops delivering after unsubscribe and counts connections', async () => {
      const before = subject.receiver.connections();
      const first: number[] = [];
      const second: number[] = [];
      const unsubscribe = subject.receiver.subscribe('carol', (received) => first.push(received.seq));
      subject.receiver.subscribe('carol', (received) => second.push(received.seq));
      expect(subject.receiver.connections()).toBe(before + 2);
      unsubscribe();
      unsubscribe();
      expect(subject.receiver.connections()).toBe(before + 1);
      subject.publisher.publish('carol', notification(3));
      await until(() => second.includes(3), 'the remaining subscriber');
      expect(first).toEqual([]);
    });

    it('keeps delivering to the other subscribers when one throws', async () => {
      const received: number[] = [];
      subject.receiver.subscribe('dave', () => {
        throw new Error('socket gone');
      });
      subject.receiver.subscribe('dave', (notificationReceived) => received.push(notificationReceived.seq));
      subject.publisher.publish('dave', notification(4));
      await until(() => received.includes(4), 'the healthy subscriber');
      expect(received).toEqual([4]);
    });
  });
}
