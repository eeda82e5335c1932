/**
 * The socket side of a WebSocket, as the protocol code sees it. gateway/uws.ts implements it
 * over a uWS WebSocket; tests implement it over an array. The protocol (gateway/ws/session.ts)
 * never imports uWebSockets.js.
 */
import type { Principal } from '../http.ts';

/** What a send did: uWS answers 1 (sent), 0 (queued: backpressure building) or 2 (dropped). */
export type SendStatus = 'sent' | 'queued' | 'dropped';

export interface WsConnection {
  readonly principal: Principal;
  /** The client's address, read at upgrade as an HTTP request's is (gateway/client-address.ts).
   *  The socket's commands carry it as their request's `ip`, so a per-IP limit sees the client. */
  readonly clientAddress: string;
  send(text: string): SendStatus;
  /** Bytes queued in the socket and not yet written. */
  bufferedBytes(): number;
  /** Closes the socket with a code and a short reason (at most 123 bytes). */
  close(code: number, reason: string): void;
}

/** One connected socket's protocol state; the adapter forwards socket events to it. */
export interface WsSession {
  onMessage(text: string): void;
  /** The socket drained its queue (backpressure relieved). */
  onDrain(): void;
  onClose(): void;
}

/** Builds a session for a socket that was authenticated at upgrade. */
export type WsSessionFactory = (connection: WsConnection) => WsSession;
