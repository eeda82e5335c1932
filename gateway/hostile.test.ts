/**
 * Hostile input over real sockets: 10,000+ malformed requests over HTTP and WebSocket (wrong
 * types, huge bodies, bad JSON, bad and tampered tokens, SQL-ish strings, odd paths). Not one
 * answer may be ≥ 500, the server must keep answering, and the ledger audit must stay clean.
 * Also: the 6th login in a minute gets 429 with Retry-After, and every served route is in the
 * OpenAPI document. The inputs come from a seeded generator; a failure prints the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SeededRandom } from '../actors/testing/seeded-random.ts';
import type { AuthDto } from './api-types.ts';
import { openApiPath } from './openapi.ts';
import { startTestGateway, type TestGateway } from './testing/gateway-harness.ts';

let harness: TestGateway;
let buyer: AuthDto;
let seller: AuthDto;
const seed = Number(process.env['FUZZ_SEED'] ?? 20261124);

beforeAll(async () => {
  harness = await startTestGateway();
  buyer = await harness.register('fuzz-buyer@example.test', 'BUYER');
  seller = await harness.register('fuzz-seller@example.test', 'SELLER');
  await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'fund', amountMinor: 50_000 } });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const hostileStrings = ["' OR 1=1 --", '"; DROP TABLE users; --', '../../etc/passwd', '%00', '\u0000', '😀'.repeat(50), 'a'.repeat(5_000), '<script>alert(1)</script>', '${jndi:ldap://x}', '-1', '1e309', 'NaN', '{}', '[]'];
const hostileValues: unknown[] = [null, true, -1, 0, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, [], {}, [1, 2], { $gt: '' }, ...hostileStrings];
const paths = [
  '/api/auth/register', '/api/auth/login', '/api/me', '/api/products', '/api/products/x', '/api/products/x/images', '/api/search',
  '/api/checkout', '/api/orders', '/api/orders/x', '/api/orders/x/ship', '/api/orders/x/confirm-delivery', '/api/orders/x/cancel',
  '/api/orders/x/dispute', '/api/orders/x/resolve', '/api/wallet', '/api/wallet/ledger', '/api/wallet/deposit', '/api/wallet/withdraw',
  '/api/seller/orders', '/api/seller/stats', '/api/admin/actors', '/api/admin/actors/order:x/state', '/api/admin/ledger/audit',
  '/media/products/x/y.png', '/api/%E0%A4%A', '/api/../../etc/passwd', '/' + 'x/'.repeat(300),
];
const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.int(0, items.length - 1)] as T;
}

function tamper(token: string, random: SeededRandom): string {
  const parts = token.split('.');
  const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString());
  payload.role = 'ADMIN';
  const forged = [parts[0], Buffer.from(JSON.stringify(payload)).toString('base64url'), parts[2]].join('.');
  return pick(random, [forged, `${token}x`, token.slice(0, -3), 'Bearer', 'eyJhbGciOiJub25lIn0.e30.', '']);
}

function hostileBody(random: SeededRandom): string | Uint8Array {
  const kind = random.int(0, 5);
  if (kind === 0) return '{"email": ';
  if (kind === 1) return new Uint8Array(random.int(1, 3) * 1024 * 1024 + 1);
  if (kind === 2) return new Uint8Array([0xff, 0xfe, 0x00, 0x7b]);
  const fields = ['email', 'password', 'role', 'checkoutId', 'items', 'amountMinor', 'commandId', 'title', 'priceMinor', 'stock', 'category', 'reason', 'resolution', '__proto__'];
  const body: Record<string, unknown> = {};
  for (let index = random.int(0, 5); index > 0; index -= 1) body[pick(random, fields)] = pick(random, hostileValues);
  return JSON.stringify(body);
}

describe('hostile input', () => {
  it('answers the 6th login in a minute with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const response = await fetch(`${harness.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'fuzz-buyer@example.test', password: 'wrong password' }) });
      statuses.push(response.status);
      retryAfter = response.headers.get('retry-after');
      await response.text();
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it(`answers 10,000 hostile HTTP requests without one 5xx (seed ${seed})`, async () => {
    const random = new SeededRandom(seed);
    const statuses = new Map<number, number>();
    const concurrency = 16;
    let sent = 0;
    async function worker(): Promise<void> {
      while (sent < 10_000) {
        sent += 1;
        const headers: Record<string, string> = { 'content-type': pick(random, ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'image/png']) };
        const auth = random.int(0, 3);
        if (auth === 1) headers['authorization'] = `Bearer ${tamper(pick(random, [buyer.token, seller.token]), random)}`;
        if (auth === 2) headers['authorization'] = `Bearer ${pick(random, [buyer.token, seller.token])}`;
        if (auth === 3) headers['cookie'] = `access_token=${tamper(buyer.token, random)}`;
        const method = pick(random, methods);
        const query = random.int(0, 1) === 0 ? '' : `?q=${encodeURIComponent(pick(random, hostileStrings))}&page=${encodeURIComponent(String(pick(random, hostileValues)))}&minPrice=-5`;
        const path = `${pick(random, paths).replace(/\/x(?=\/|$)/, `/${encodeURIComponent(pick(random, hostileStrings).slice(0, 100))}`)}${query}`;
        const init: RequestInit = { method, headers };
        if (method !== 'GET' && method !== 'DELETE') init.body = hostileBody(random);
        const response = await fetch(`${harness.base}${path}`, init).catch((error: unknown) => ({ status: -1, text: async () => String(error) }));
        await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
    const serverErrors = [...statuses].filter(([status]) => status >= 500 || status < 0);
    expect(serverErrors, `seed ${seed}: ${JSON.stringify([...statuses])}`).toEqual([]);
    expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(10_000);
    expect((await harness.call('GET', '/healthz')).status).toBe(200);
  }, 240_000);

  it('answers 2,000 hostile WebSocket messages with errors and keeps the socket usable', async () => {
    const random = new SeededRandom(seed + 1);
    const socket = new WebSocket(`${harness.base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${buyer.token}` } });
    const replies: unknown[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    const names = ['checkout', 'wallet.deposit', 'orders.ship', 'orders.resolve', 'products.create', 'nope', '__proto__', 'constructor', 'search'];
    for (let index = 0; index < 2_000; index += 1) {
      const shape = random.int(0, 3);
      if (shape === 0) socket.send('{not json');
      else if (shape === 1) socket.send(JSON.stringify(pick(random, hostileValues)));
      else socket.send(JSON.stringify({ id: `f${index}`, type: 'command', name: pick(random, names), args: { id: pick(random, hostileStrings), amountMinor: pick(random, hostileValues), items: pick(random, hostileValues) } }));
      if (index % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    socket.send(JSON.stringify({ id: 'final', type: 'command', name: 'wallet.get' }));
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no answer to the final command')), 60_000);
      const check = setInterval(() => {
        if (replies.some((reply) => (reply as { id?: string }).id === 'final')) {
          clearInterval(check);
          clearTimeout(deadline);
          resolve();
        }
      }, 20);
    });
    const final = replies.find((reply) => (reply as { id?: string }).id === 'final');
    expect(final).toMatchObject({ ok: true, result: { userId: buyer.user.id } });
    const failures = replies.filter((reply) => (reply as { ok?: boolean }).ok === false) as { error: { code: string } }[];
    expect(failures.length).toBeGreaterThan(1_000);
    expect(failures.every((reply) => /^[a-z_]+$/.test(reply.error.code) && reply.error.code !== 'internal')).toBe(true);
    socket.close();
  }, 120_000);

  it('keeps the ledger audit clean after the fuzzing', async () => {
    const admin = await harness.admin();
    const audit = await harness.call('GET', '/api/admin/ledger/audit', { token: admin.token });
    expect(audit.body.anomalies).toEqual([]);
    const wallet = await harness.call('GET', '/api/wallet', { token: buyer.token });
    expect(wallet.body.balanceMinor).toBeGreaterThanOrEqual(0);
  });

  it('lists every served route in the OpenAPI document', async () => {
    const document = (await harness.call('GET', '/api/openapi.json')).body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    for (const route of harness.gateway.router.routes) {
      expect(document.paths[openApiPath(route.pattern)]?.[route.method.toLowerCase()], `${route.method} ${route.pattern}`).toBeDefined();
    }
  });
});
