/**
 * Starts the real gateway (uWebSockets.js on a random port, embedded stores in a temp dir) for
 * tests that drive it over real HTTP and WebSocket clients, with small helpers for both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { AuthDto, UserRole, WsServerMessage } from '../api-types.ts';
import { parseConfig } from '../app/config.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { startGateway, type Gateway } from '../server.ts';
import { createGatewayPorts } from '../app/ports.ts';
import { ProductOwners } from '../../persistence/projections/cache/product-owners.ts';
import type { BazaarySystem } from '../app/system.ts';
import type { GatewayContext } from '../context.ts';
import { seedPgliteDataDir } from '../../persistence/adapters/testing/pglite-template.ts';

/**
 * A context for calling route handlers directly (no sockets): the real ports over `system`, plus
 * the other parts a test hands in. Parts a test leaves out are absent, so a handler that reaches
 * for one fails loudly rather than silently using a default.
 */
export function handlerContext(system: BazaarySystem, parts: Partial<GatewayContext> = {}): GatewayContext {
  // No edge consumers run here, so nothing tells the owner lookup of a deletion: a fresh one per context.
  return { ...createGatewayPorts(system, new ProductOwners(1_000)), ...parts } as GatewayContext;
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly base: string;
  call(method: string, path: string, options?: { token?: string; body?: unknown; raw?: Uint8Array; contentType?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  register(email: string, role: Exclude<UserRole, 'ADMIN'>): Promise<AuthDto>;
  /** An admin account, created directly in the user store (there is no public admin sign-up). */
  admin(): Promise<AuthDto>;
  /** Another session (a second device) of an existing user, issued without the login limiter. */
  session(auth: AuthDto): Promise<string>;
  close(): Promise<void>;
}

export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bazaary-gateway-'));
  // Every test registers from 127.0.0.1: the per-IP registration limit is raised unless a test sets it.
  const config = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', REGISTRATIONS_PER_HOUR: '100000', ...env });
  // A copy of a migrated cluster instead of a fresh initdb (pglite-template.ts).
  if (config.databaseUrl === undefined) await seedPgliteDataDir(dataDir);
  // In-process PGlite starts in half the time of the worker thread; the worker adapter has its
  // own contract suite (persistence/adapters/pglite-worker.test.ts).
  const gateway = await startGateway({ config, logger: silentLogger, embedded: 'in-process' });
  const base = `http://127.0.0.1:${gateway.port}`;

  const call: TestGateway['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (metrics, pages): the text itself.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };

  async function register(email: string, role: Exclude<UserRole, 'ADMIN'>): Promise<AuthDto> {
    const response = await call('POST', '/api/auth/register', { body: { email, password: 'correct horse battery', role, displayName: email.split('@')[0] } });
    if (response.status !== 201) throw new Error(`register ${email}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as AuthDto;
  }

  async function admin(): Promise<AuthDto> {
    const context = gateway.context;
    const email = `admin-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
    const passwordHash = await context.passwords.hash('admin password 1');
    const user = await context.users.create({ id: context.ids.next(), email, role: 'ADMIN', displayName: 'Admin', passwordHash, createdAt: context.clock.now() });
    if (user === null) throw new Error('admin email taken');
    // Issued directly rather than through /login, so tests that spend the login limit still get one.
    const issued = await context.sessions.signIn({ userId: user.id, role: 'ADMIN', email });
    return { user: { id: user.id, email, role: 'ADMIN', displayName: 'Admin', createdAt: user.createdAt }, token: issued.token, expiresAt: issued.expiresAt };
  }

  async function session(auth: AuthDto): Promise<string> {
    return (await gateway.context.sessions.signIn({ userId: auth.user.id, role: auth.user.role, email: auth.user.email })).token;
  }

  async function close(): Promise<void> {
    await gateway.stop();
    // Each gateway holds a copy of a whole PGlite cluster (about 40 MB).
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { gateway, base, call, register, admin, session, close };
}

/** A WebSocket client that records every message and can wait for one matching a predicate. */
export class TestSocket {
  readonly messages: WsServerMessage[] = [];
  private waiters: { match: (message: WsServerMessage) => boolean; resolve: (message: WsServerMessage) => void }[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as WsServerMessage;
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  static open(base: string, token: string): Promise<TestSocket> {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
    const client = new TestSocket(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  // Generous: on a loaded 2-core machine the socket's first reply waits behind the projections' queries.
  waitFor(match: (message: WsServerMessage) => boolean, timeoutMs = 30_000): Promise<WsServerMessage> {
    const seen = this.messages.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(this.messages).slice(0, 2000)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (message) => (clearTimeout(timer), resolve(message)) });
    });
  }

  async command(id: string, name: string, args: Record<string, unknown> = {}): Promise<WsServerMessage> {
    this.send({ id, type: 'command', name, args });
    return this.waitFor((message) => 'id' in message && message.id === id);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export async function eventually<T>(probe: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until a product the test just created is in the read model: the product's answer leaves
 * before the projection has it, and a checkout reads prices and sellers from the read model.
 */
export async function productVisible(gateway: Pick<TestGateway, 'call'>, productId: string): Promise<void> {
  await eventually(async () => ((await gateway.call('GET', `/api/products/${productId}`)).status === 200 ? true : null));
}
