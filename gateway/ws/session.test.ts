/**
 * The WebSocket protocol over a connection implemented on an array (the port allows it): a slow
 * client whose queue overflows is closed with 1013, and a new socket that resumes from the last
 * seq it saw receives every later notification exactly once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedPglite } from '../../persistence/adapters/testing/pglite-template.ts';
import type { Db } from '../../persistence/adapters/db.ts';
import type { NotificationDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import { InProcessHub } from '../notifications/hub.ts';
import { SqlNotificationStore } from '../../persistence/projections/notifications/store.ts';
import { Router } from '../router.ts';
import { silentLogger } from '../../runtime/logger.ts';
import type { SendStatus, WsConnection } from './connection.ts';
import { createWsSessionFactory } from './session.ts';
import { gatewayLimits } from '../app/limits.ts';

let db: Db;
let store: SqlNotificationStore;
const hub = new InProcessHub();
const principal = { userId: 'seller-1', role: 'SELLER' as const, email: 's@example.test', sessionId: 'session_1' };
/** Sessions that stay live until `end` is called; `end` runs the socket's listeners as a logout would. */
function fakeSessions() {
  const listeners = new Set<() => void>();
  let live = true;
  return {
    onEnded: (_sessionId: string, listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
    isLive: async () => live,
    end: () => {
      live = false;
      for (const listener of listeners) listener();
    },
    expire: () => {
      live = false;
    },
  };
}

class ArrayConnection implements WsConnection {
  readonly principal = principal;
  readonly clientAddress = '203.0.113.9';
  readonly sent: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | null = null;
  buffered = 0;
  constructor(private readonly slow: boolean) {}
  send(text: string): SendStatus {
    this.sent.push(JSON.parse(text));
    if (this.slow) this.buffered += text.length;
    return this.slow ? 'queued' : 'sent';
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
}

/** Stores `count` notifications, then publishes them in seq order: the session sees the stream
 *  the notification consumer would give it. One transaction is twice as fast as one per row. */
async function notify(count: number): Promise<void> {
  const stored = await db.transaction(async (tx) => {
    const batch = new SqlNotificationStore(tx);
    const appended: NotificationDto[] = [];
    for (let index = 0; index < count; index += 1) {
      const source = `order:o:${Math.random()}`;
      const notification = await batch.append({ userId: principal.userId, event: 'order.status', data: { orderId: 'o', orderNumber: 'O', status: 'SHIPPED', role: 'seller' }, source, at: 1 });
      if (notification !== null) appended.push(notification);
    }
    return appended;
  });
  for (const notification of stored) hub.publish(principal.userId, notification);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

beforeAll(async () => {
  db = await openMigratedPglite();
  store = new SqlNotificationStore(db);
});

afterAll(async () => {
  await db.close();
});

describe('WebSocket sessions', () => {
  it('closes a slow consumer with 1013 and lets it resume without loss or repeats', async () => {
    const context = { notifications: store, sessions: fakeSessions() } as unknown as GatewayContext;
    const factory = createWsSessionFactory(context, new Router([]), hub);
    const slow = new ArrayConnection(true);
    const slowSession = factory(slow);
    await settle();
    // Each notification is ~150 bytes queued; enough of them pass the backpressure bound.
    const burst = Math.ceil(gatewayLimits.ws.maxBackpressureBytes / 120);
    await notify(burst);
    expect(slow.closed?.code).toBe(1013);
    const lastSeen = Math.max(...slow.sent.filter((message) => message['type'] === 'notification').map((message) => Number(message['seq'])));
    slowSession.onClose();
    await notify(3);

    const fresh = new ArrayConnection(false);
    const session = factory(fresh);
    await settle();
    session.onMessage(JSON.stringify({ type: 'resume', afterSeq: lastSeen }));
    for (let wait = 0; wait < 100 && !fresh.sent.some((message) => message['type'] === 'resumed'); wait += 1) await settle();
    const seqs = (fresh.sent.filter((message) => message['type'] === 'notification') as unknown as NotificationDto[]).map((message) => message.seq);
    const total = await store.lastSeq(principal.userId);
    expect(seqs).toEqual(Array.from({ length: total - lastSeen }, (_unused, index) => lastSeen + 1 + index));
    expect(fresh.closed).toBeNull();
  }, 120_000);

  it('answers malformed messages with error codes and pings with pong', async () => {
    const context = { notifications: store, sessions: fakeSessions() } as unknown as GatewayContext;
    const connection = new ArrayConnection(false);
    const session = createWsSessionFactory(context, new Router([]), hub)(connection);
    await settle();
    session.onMessage('{nope');
    session.onMessage(JSON.stringify({ type: 'command', id: 'c1', name: 'no.such' }));
    session.onMessage(JSON.stringify({ type: 'ping' }));
    await settle();
    expect(connection.sent).toEqual(
      expect.arrayContaining([
        { id: null, ok: false, error: { code: 'invalid_json', message: 'messages must be JSON' } },
        { id: 'c1', ok: false, error: { code: 'unknown_command', message: 'unknown command no.such' } },
        { type: 'pong' },
      ]),
    );
  });

  it('closes the socket with 1011 for a resume when the store fails, instead of an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let failing = true;
      const flakyStore = {
        lastSeq: async (userId: string) => (failing ? Promise.reject(new Error('database gone')) : store.lastSeq(userId)),
        after: async () => Promise.reject(new Error('database gone')),
      };
      const context = { notifications: flakyStore, logger: silentLogger, sessions: fakeSessions() } as unknown as GatewayContext;
      const factory = createWsSessionFactory(context, new Router([]), hub);
      const atStart = new ArrayConnection(false);
      factory(atStart);
      await settle();
      expect(atStart.closed?.code).toBe(1011);

      failing = false;
      const atResume = new ArrayConnection(false);
      const session = factory(atResume);
      await settle();
      session.onMessage(JSON.stringify({ type: 'resume', afterSeq: 0 }));
      await settle();
      expect(atResume.closed?.code).toBe(1011);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('answers an out-of-range resume and a deeply nested message with error codes and keeps the socket open', async () => {
    const context = { notifications: store, sessions: fakeSessions() } as unknown as GatewayContext;
    const connection = new ArrayConnection(false);
    const session = createWsSessionFactory(context, new Router([]), hub)(connection);
    await settle();
    for (const afterSeq of [2 ** 31, 1e300, 2 ** 53 + 1, -1, 1.5]) session.onMessage(JSON.stringify({ type: 'resume', afterSeq }));
    session.onMessage(`{"id":"deep","type":"command","name":"checkout","args":${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}}`);
    session.onMessage('['.repeat(15_000));
    session.onMessage(JSON.stringify({ type: 'ping' }));
    await settle();
    const codes = connection.sent.map((message) => (message['error'] as { code?: string } | undefined)?.code ?? message['type']);
    expect(codes).toEqual(['hello', 'invalid_message', 'invalid_message', 'invalid_message', 'invalid_message', 'invalid_message', 'too_deeply_nested', 'too_deeply_nested', 'pong']);
    expect(connection.closed).toBeNull();
    session.onMessage(JSON.stringify({ type: 'resume', afterSeq: 2 ** 31 - 1 }));
    await settle();
    expect(connection.sent.at(-1)).toMatchObject({ type: 'resumed' });
  });

  it('closes the socket with 4001 when its session ends, and runs no command once it has', async () => {
    const sessions = fakeSessions();
    const context = { notifications: store, sessions, logger: silentLogger } as unknown as GatewayContext;
    const ended = new ArrayConnection(false);
    createWsSessionFactory(context, new Router([]), hub)(ended);
    await settle();
    sessions.end();
    expect(ended.closed).toEqual({ code: 4001, reason: 'session ended: sign in again' });

    const quiet = fakeSessions();
    const idle = new ArrayConnection(false);
    const session = createWsSessionFactory({ ...context, sessions: quiet } as unknown as GatewayContext, new Router([]), hub)(idle);
    await settle();
    quiet.expire();
    session.onMessage(JSON.stringify({ type: 'command', id: 'late', name: 'wallet.get' }));
    await settle();
    expect(idle.closed?.code).toBe(4001);
    expect(idle.sent.some((message) => message['id'] === 'late')).toBe(false);
  });
});
