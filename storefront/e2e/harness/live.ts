/**
 * A raw WebSocket client for the tests (the `ws` package): it reads a user's notifications
 * straight from the gateway, so a test can prove that a notification existed on the server
 * while a browser tab was cut off and had not shown it.
 */
import WebSocket from 'ws';
import type { NotificationDto, WsServerMessage } from '../../../gateway/api-types.ts';

/** A resume that has not finished by then has failed. */
const resumeTimeoutMs = 10_000;

/** The user's notifications after `afterSeq`, as a reconnecting client would receive them. */
export async function notificationsAfter(baseUrl: string, token: string, afterSeq: number): Promise<NotificationDto[]> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  const received: NotificationDto[] = [];
  try {
    return await new Promise<NotificationDto[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 'resumed' within ${resumeTimeoutMs} ms`)), resumeTimeoutMs);
      socket.on('error', reject);
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as WsServerMessage;
        if (!('type' in message)) return;
        if (message.type === 'hello') socket.send(JSON.stringify({ type: 'resume', afterSeq }));
        if (message.type === 'notification') received.push(message);
        if (message.type === 'resumed') {
          clearTimeout(timer);
          resolve(received);
        }
      });
    });
  } finally {
    socket.close();
  }
}

/** The user's last notification seq, from the gateway's greeting. */
export async function lastNotificationSeq(baseUrl: string, token: string): Promise<number> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  try {
    return await new Promise<number>((resolve, reject) => {
      setTimeout(() => reject(new Error(`no 'hello' within ${resumeTimeoutMs} ms`)), resumeTimeoutMs).unref();
      socket.on('error', reject);
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as WsServerMessage;
        if ('type' in message && message.type === 'hello') resolve(message.lastSeq);
      });
    });
  } finally {
    socket.close();
  }
}
