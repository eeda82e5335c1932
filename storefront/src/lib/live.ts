/**
 * The live connection (WebSocket /ws, cookie-authenticated) that turns server notifications into
 * toasts and query revalidations. The protocol (gateway/ws/session.ts):
 * - the server greets with `hello {lastSeq}`; the client answers `resume {afterSeq}` with the last
 *   seq it has seen, and the server replays everything after it, then `resumed`;
 * - the last seen seq is kept per user in localStorage, so a reload or a reconnect loses nothing;
 * - the very first connection (nothing stored) adopts `hello.lastSeq`, so old history is not toasted;
 * - a notification at or below the last seen seq is a repeat and is ignored.
 * Reconnects back off exponentially, capped, with jitter so many tabs do not reconnect in step.
 */
import type { NotificationDto, WsServerMessage } from '../../../gateway/api-types.ts';

export type LiveStatus = 'offline' | 'connecting' | 'live';

export interface LiveHandlers {
  readonly onNotification: (notification: NotificationDto) => void;
  readonly onStatus: (status: LiveStatus) => void;
}

/** First reconnect delay; doubled per failed attempt. */
const reconnectBaseMs = 500;
/** Longest wait between reconnects: long enough not to hammer a restarting server. */
const reconnectMaxMs = 15_000;
/** A ping keeps idle proxies from closing the socket; one per 25 s costs nothing. */
const pingIntervalMs = 25_000;

function seqKey(userId: string): string {
  return `bazaary.lastSeq.${userId}`;
}

function readStoredSeq(userId: string): number | null {
  const raw = localStorage.getItem(seqKey(userId));
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

function socketUrl(): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}/ws`;
}

export interface LiveConnection {
  readonly close: () => void;
}

/** Opens (and keeps open) the live connection for one signed-in user until `close()`. */
export function connectLive(userId: string, handlers: LiveHandlers): LiveConnection {
  let socket: WebSocket | null = null;
  let attempts = 0;
  let closed = false;
  let reconnectTimer: number | undefined;
  let pingTimer: number | undefined;
  let lastSeen = readStoredSeq(userId);

  function remember(seq: number): void {
    lastSeen = seq;
    localStorage.setItem(seqKey(userId), String(seq));
  }

  function onHello(serverLastSeq: number): void {
    // First connection ever, or the server's history was reset below what we saw: start from now.
    if (lastSeen === null || lastSeen > serverLastSeq) remember(serverLastSeq);
    socket?.send(JSON.stringify({ type: 'resume', afterSeq: lastSeen ?? serverLastSeq }));
  }

  function onMessage(message: WsServerMessage): void {
    if (!('type' in message)) return; // a command answer; this client sends no commands
    switch (message.type) {
      case 'hello':
        onHello(message.lastSeq);
        return;
      case 'notification':
        if (lastSeen !== null && message.seq <= lastSeen) return;
        remember(message.seq);
        handlers.onNotification(message);
        return;
      case 'resumed':
        attempts = 0;
        handlers.onStatus('live');
        return;
      case 'pong':
        return;
      default: {
        const unknownMessage: never = message;
        return unknownMessage;
      }
    }
  }

  function scheduleReconnect(): void {
    if (closed) return;
    handlers.onStatus('offline');
    const delay = Math.min(reconnectMaxMs, reconnectBaseMs * 2 ** attempts);
    attempts += 1;
    reconnectTimer = window.setTimeout(open, delay / 2 + Math.random() * (delay / 2));
  }

  function open(): void {
    if (closed) return;
    handlers.onStatus('connecting');
    const current = new WebSocket(socketUrl());
    socket = current;
    current.addEventListener('message', (event) => {
      try {
        onMessage(JSON.parse(String(event.data)) as WsServerMessage);
      } catch {
        // A malformed frame is dropped; the next resume repairs any gap it could have caused.
      }
    });
    current.addEventListener('close', () => {
      window.clearInterval(pingTimer);
      if (socket === current) socket = null;
      scheduleReconnect();
    });
    current.addEventListener('open', () => {
      pingTimer = window.setInterval(() => current.readyState === WebSocket.OPEN && current.send(JSON.stringify({ type: 'ping' })), pingIntervalMs);
    });
  }

  // Coming back online or to the tab reconnects at once instead of waiting out the backoff.
  const reconnectNow = (): void => {
    if (closed || socket !== null) return;
    window.clearTimeout(reconnectTimer);
    attempts = 0;
    open();
  };
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', reconnectNow);

  open();
  return {
    close: () => {
      closed = true;
      window.clearTimeout(reconnectTimer);
      window.clearInterval(pingTimer);
      window.removeEventListener('online', reconnectNow);
      document.removeEventListener('visibilitychange', reconnectNow);
      socket?.close(1000, 'signed out');
      socket = null;
      handlers.onStatus('offline');
    },
  };
}
