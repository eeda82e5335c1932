/**
 * The gateway's two Redis connections (commands, and a subscriber for the notification channel)
 * and their health. Redis is an accelerator between processes, never a dependency of a request:
 * the offline queue is off and every command has a short timeout, so while Redis is away a call
 * fails at once and the caller falls back to its local behaviour. ioredis reconnects by itself;
 * the link resubscribes on every reconnect, and logs each change of health once.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../runtime/logger.ts';
import type { RedisHealth } from '../context.ts';
import { gatewayLimits } from '../app/limits.ts';

export type MessageHandler = (message: string) => void;

export class RedisLink implements RedisHealth {
  /** Commands (rate limiter, cache, publish); use it through `command`. */
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, MessageHandler>();
  private readonly recoveryListeners: (() => void)[] = [];
  private subscribed = false;
  private timeoutsInARow = 0;
  private pinger: NodeJS.Timeout | null = null;
  private reported: 'ok' | 'degraded' | null = null;
  private closing = false;
  /** Health changes are logged from the end of the start wait on, so connecting is not reported as an outage. */
  private started = false;

  constructor(
    url: string,
    /** Prepended to every key and channel, so deployments (and test runs) sharing a Redis stay apart. */
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.client = this.connect(url, 'commands');
    this.subscriber = this.connect(url, 'subscriber');
    this.subscriber.on('ready', () => void this.resubscribe());
    this.subscriber.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
  }

  private connect(url: string, role: string): Redis {
    const connection = new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: gatewayLimits.redis.commandTimeoutMs,
      connectTimeout: gatewayLimits.redis.connectTimeoutMs,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), gatewayLimits.redis.maxReconnectDelayMs),
      connectionName: `bazaary-${role}`,
    });
    // Without a listener ioredis prints every failed reconnect; the health change is logged once instead.
    connection.on('error', () => this.report());
    connection.on('ready', () => this.report());
    connection.on('close', () => {
      if (connection === this.subscriber) this.subscribed = false;
      this.report();
    });
    return connection;
  }

  /** Waits until both connections are up, or gives up after `startWaitMs` (the gateway then starts degraded). */
  async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + gatewayLimits.redis.startWaitMs;
    while (this.status() !== 'ok' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    this.started = true;
    this.report();
    this.pinger = setInterval(() => {
      if (this.usable()) this.command((client) => client.ping()).catch(() => {});
    }, gatewayLimits.redis.pingEveryMs);
    this.pinger.unref();
  }

  /** Delivers each message on `channel` (the prefix is added) to `handler`, across reconnects. */
  async listen(channel: string, handler: MessageHandler): Promise<void> {
    this.handlers.set(this.prefix + channel, handler);
    if (this.subscriber.status === 'ready') await this.resubscribe();
  }

  private async resubscribe(): Promise<void> {
    if (this.handlers.size === 0) return;
    try {
      await this.subscriber.subscribe(...this.handlers.keys());
      this.subscribed = true;
    } catch {
      // The connection dropped again; its next 'ready' subscribes again.
    }
    this.report();
  }

  status(): 'ok' | 'degraded' {
    const subscriberReady = this.handlers.size === 0 ? this.subscriber.status === 'ready' : this.subscribed;
    return this.client.status === 'ready' && subscriberReady ? 'ok' : 'degraded';
  }

  /** Runs `listener` each time Redis is back (connected and resubscribed) after an outage. */
  onRecovered(listener: () => void): void {
    this.recoveryListeners.push(listener);
  }

  /**
   * Runs commands on the command connection. A Redis that keeps the connection open but does not
   * answer never closes it, so ioredis would stay "ready" forever: after a few timeouts in a row
   * both connections are reopened, which reports degraded until Redis answers again.
   */
  async command<T>(run: (client: Redis) => Promise<T>): Promise<T> {
    try {
      const result = await run(this.client);
      this.timeoutsInARow = 0;
      return result;
    } catch (error) {
      const timedOut = error instanceof Error && error.message === 'Command timed out';
      this.timeoutsInARow = timedOut ? this.timeoutsInARow + 1 : 0;
      if (this.timeoutsInARow >= gatewayLimits.redis.hungAfterTimeouts) {
        this.timeoutsInARow = 0;
        this.client.disconnect(true);
        this.subscriber.disconnect(true);
      }
      throw error;
    }
  }

  /** True when a command can be sent now; callers skip Redis (and fall back) otherwise. */
  usable(): boolean {
    return this.client.status === 'ready';
  }

  private report(): void {
    if (this.closing || !this.started) return;
    const status = this.status();
    if (status === this.reported) return;
    const first = this.reported === null;
    this.reported = status;
    if (status === 'ok') {
      this.logger.info({ prefix: this.prefix }, first ? 'redis connected' : 'redis recovered: shared limiter, cache and fan-out are back');
      if (!first) this.notifyRecovered();
    } else this.logger.warn({ prefix: this.prefix }, 'redis unavailable: degraded to local limiter, no product cache, local fan-out only');
  }

  private notifyRecovered(): void {
    for (const listener of this.recoveryListeners) {
      try {
        listener();
      } catch (error) {
        // This runs inside an ioredis event: a throw here would surface as an uncaught exception.
        this.logger.error({ err: error }, 'redis recovery listener failed');
      }
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.pinger !== null) clearInterval(this.pinger);
    this.client.disconnect();
    this.subscriber.disconnect();
  }
}
