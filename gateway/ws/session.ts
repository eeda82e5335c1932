/**
 * The WebSocket protocol of one authenticated socket (DESIGN.md §5):
 * - `{id,type:"command",name,args}` runs the HTTP route of that name (ws/commands.ts) as the
 *   socket's user and answers `{id,ok,result|error}`.
 * - Notifications are delivered in seq order with no gap and no repeat. `cursor` is the last seq
 *   sent. A live notification that is exactly cursor + 1 is sent at once; anything else (a
 *   resume, a gap, a notification that arrives during a replay) triggers a catch-up from the
 *   store, which pages until it reaches the newest row, so nothing is lost or sent twice.
 * - `{type:"resume",afterSeq}` moves the cursor back and replays what was missed, then `resumed`.
 * - A socket whose send queue is full is closed (1013); its client reconnects and resumes.
 * - A socket whose session ends (logout, sign out everywhere, idle timeout) is closed (4001).
 * - Messages nested deeper than `maxJsonDepth` are refused before they are parsed.
 */
import * as v from 'valibot';
import type { NotificationDto, WsServerMessage } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import type { Router } from '../router.ts';
import type { InProcessHub } from '../notifications/hub.ts';
import type { WsConnection, WsSession, WsSessionFactory } from './connection.ts';
import { toRequest, wsCommands } from './commands.ts';
import { exceedsJsonDepth, maxJsonDepth } from '../json-limits.ts';
import { maxInt32 } from '../validate.ts';
import { sessionEndedCloseCode } from '../auth/sessions.ts';
import { gatewayLimits } from '../app/limits.ts';

const clientMessage = v.variant('type', [
  v.object({ type: v.literal('command'), id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)), name: v.string(), args: v.optional(v.record(v.string(), v.unknown())) }),
  // Notification seqs are an `integer` column: a larger afterSeq would fail in the store, not here.
  v.object({ type: v.literal('resume'), afterSeq: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(maxInt32, `must be at most ${maxInt32}`)) }),
  v.object({ type: v.literal('ping') }),
]);

class Session implements WsSession {
  private cursor = 0;
  private catchingUp = false;
  private catchUpAgain = false;
  private closed = false;
  private started = false;
  private inFlight = 0;
  private readonly unsubscribe: () => void;
  private readonly stopWatchingSession: () => void;

  constructor(
    private readonly connection: WsConnection,
    private readonly context: GatewayContext,
    private readonly router: Router,
    hub: InProcessHub,
  ) {
    this.unsubscribe = hub.subscribe(
      connection.principal.userId,
      (notification) => this.onLive(notification),
      () => this.onMissed(),
    );
    // Logout (here or in another process) closes the socket at once, not at the next command.
    this.stopWatchingSession = context.sessions.onEnded(connection.principal.sessionId, () => this.sessionEnded());
    this.start().catch((error: unknown) => this.fail(error));
  }

  private sessionEnded(): void {
    if (this.closed) return;
    this.connection.close(sessionEndedCloseCode, 'session ended: sign in again');
    this.onClose();
  }

  /**
   * The store failed under a socket (start, catch-up or resume). Node 20 dies of an unhandled
   * rejection, so every background promise ends here: the socket is closed with 1011, and the
   * client reconnects and resumes from its last seq, so nothing is lost.
   */
  private fail(error: unknown): void {
    this.context.logger.warn({ err: error, userId: this.connection.principal.userId }, 'websocket session failed; closing it for a resume');
    if (this.closed) return;
    this.connection.close(1011, 'temporarily unavailable: reconnect and resume');
    this.onClose();
  }

  private async start(): Promise<void> {
    const lastSeq = await this.context.notifications.lastSeq(this.connection.principal.userId);
    // Without a resume, a socket receives what happens from now on.
    this.cursor = Math.max(this.cursor, lastSeq);
    this.started = true;
    const { userId, role } = this.connection.principal;
    this.send({ type: 'hello', userId, role, lastSeq });
  }

  private send(message: WsServerMessage): void {
    if (this.closed) return;
    const status = this.connection.send(JSON.stringify(message));
    if (status === 'dropped' || this.connection.bufferedBytes() > gatewayLimits.ws.maxBackpressureBytes) {
      this.connection.close(1013, 'slow consumer: reconnect and resume');
      this.onClose();
    }
  }

  private onLive(notification: NotificationDto): void {
    if (this.closed) return;
    if (!this.catchingUp && notification.seq === this.cursor + 1) {
      this.cursor = notification.seq;
      this.send(notification);
    } else if (notification.seq > this.cursor) {
      this.catchUp(false).catch((error: unknown) => this.fail(error));
    }
  }

  /** Live delivery had a gap (another process's notifications did not arrive): replay from the cursor. */
  private onMissed(): void {
    if (this.closed || !this.started) return;
    // A store failure here is not fatal: the next live notification or the client's resume catches up.
    this.catchUp(false).catch(() => {});
  }

  private async catchUp(announce: boolean): Promise<void> {
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    this.catchingUp = true;
    try {
      do {
        this.catchUpAgain = false;
        for (;;) {
          const page = await this.context.notifications.after(this.connection.principal.userId, this.cursor, gatewayLimits.ws.replayPageSize);
          for (const notification of page) {
            if (this.closed) return;
            this.cursor = notification.seq;
            this.send(notification);
          }
          if (page.length < gatewayLimits.ws.replayPageSize) break;
        }
      } while (this.catchUpAgain && !this.closed);
      if (announce) this.send({ type: 'resumed', lastSeq: this.cursor });
    } finally {
      this.catchingUp = false;
    }
  }

  onMessage(text: string): void {
    if (exceedsJsonDepth(text)) {
      this.send({ id: null, ok: false, error: { code: 'too_deeply_nested', message: `JSON may nest at most ${maxJsonDepth} levels` } });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.send({ id: null, ok: false, error: { code: 'invalid_json', message: 'messages must be JSON' } });
      return;
    }
    const result = v.safeParse(clientMessage, parsed);
    if (!result.success) {
      const id = typeof (parsed as { id?: unknown })?.id === 'string' ? ((parsed as { id: string }).id).slice(0, 100) : null;
      this.send({ id, ok: false, error: { code: 'invalid_message', message: result.issues[0]?.message ?? 'invalid message' } });
      return;
    }
    const message = result.output;
    if (message.type === 'ping') this.send({ type: 'pong' });
    else if (message.type === 'resume') {
      this.cursor = message.afterSeq;
      this.catchUp(true).catch((error: unknown) => this.fail(error));
    } else this.runCommand(message.id, message.name, message.args ?? {}).catch((error: unknown) => this.fail(error));
  }

  private async runCommand(id: string, name: string, args: Readonly<Record<string, unknown>>): Promise<void> {
    const route = Object.hasOwn(wsCommands, name) ? wsCommands[name] : undefined;
    const request = route === undefined ? null : toRequest(route, args);
    if (route === undefined || request === null) {
      const message = route === undefined ? `unknown command ${name.slice(0, 60)}` : 'a path argument (such as id) is missing';
      this.send({ id, ok: false, error: { code: route === undefined ? 'unknown_command' : 'invalid_request', message } });
      return;
    }
    if (this.inFlight >= gatewayLimits.ws.commandsInFlightMax) {
      this.send({ id, ok: false, error: { code: 'too_many_commands', message: `at most ${gatewayLimits.ws.commandsInFlightMax} commands at once` } });
      return;
    }
    this.inFlight += 1;
    try {
      // The token was checked at upgrade; the session is checked again per command (cached), so a
      // session that ended while its socket was open, or idled out, runs nothing more.
      if (!(await this.context.sessions.isLive(this.connection.principal))) {
        this.sessionEnded();
        return;
      }
      const headers = { 'content-type': 'application/json' };
      const { response } = await this.router.dispatch({ ...request, headers, ip: this.connection.clientAddress }, this.context, this.connection.principal);
      const value = response.body.kind === 'json' ? response.body.value : null;
      if (response.status < 400) this.send({ id, ok: true, result: value });
      else this.send({ id, ok: false, error: (value as { error: { code: string; message: string } }).error });
    } finally {
      this.inFlight -= 1;
    }
  }

  onDrain(): void {
    // uWS keeps writing the queue by itself; nothing to resend, since every send was queued.
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.stopWatchingSession();
  }
}

export function createWsSessionFactory(context: GatewayContext, router: Router, hub: InProcessHub): WsSessionFactory {
  return (connection) => new Session(connection, context, router, hub);
}
