/**
 * Hostile HTTP input from a seeded generator: wrong types, huge bodies, bad JSON, bad and
 * tampered tokens, SQL-ish strings, odd paths. gateway/hostile.test.ts sends a sample of it in
 * the fast tier; bench/proofs/hostile-fuzz.test.ts sends the full 10,000 requests.
 */
import { SeededRandom } from '../../actors/testing/seeded-random.ts';

export const hostileStrings = ["' OR 1=1 --", '"; DROP TABLE users; --', '../../etc/passwd', '%00', '\u0000', '😀'.repeat(50), 'a'.repeat(5_000), '<script>alert(1)</script>', '${jndi:ldap://x}', '-1', '1e309', 'NaN', '{}', '[]'];
export const hostileValues: unknown[] = [null, true, -1, 0, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, [], {}, [1, 2], { $gt: '' }, ...hostileStrings];
const paths = [
  '/api/auth/register', '/api/auth/login', '/api/me', '/api/products', '/api/products/x', '/api/products/x/images', '/api/search',
  '/api/checkout', '/api/orders', '/api/orders/x', '/api/orders/x/ship', '/api/orders/x/confirm-delivery', '/api/orders/x/cancel',
  '/api/orders/x/dispute', '/api/orders/x/resolve', '/api/wallet', '/api/wallet/ledger', '/api/wallet/deposit', '/api/wallet/withdraw',
  '/api/seller/orders', '/api/seller/stats', '/api/admin/actors', '/api/admin/actors/order:x/state', '/api/admin/ledger/audit',
  '/media/products/x/y.png', '/api/%E0%A4%A', '/api/../../etc/passwd', '/' + 'x/'.repeat(300),
];
const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];

export function pick<T>(random: SeededRandom, items: readonly T[]): T {
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

export interface HostileFuzz {
  readonly base: string;
  /** Valid tokens of a buyer and a seller: sent as they are, tampered, or as a cookie. */
  readonly buyerToken: string;
  readonly sellerToken: string;
  readonly seed: number;
  readonly requests: number;
}

/**
 * Sends `requests` hostile requests, 16 at a time, and counts the answers by status; a request
 * that got no answer at all counts under -1.
 */
export async function sendHostileRequests(fuzz: HostileFuzz): Promise<Map<number, number>> {
  const random = new SeededRandom(fuzz.seed);
  const tokens = [fuzz.buyerToken, fuzz.sellerToken];
  const statuses = new Map<number, number>();
  const concurrency = 16;
  let sent = 0;
  async function worker(): Promise<void> {
    while (sent < fuzz.requests) {
      sent += 1;
      const headers: Record<string, string> = { 'content-type': pick(random, ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'image/png']) };
      const auth = random.int(0, 3);
      if (auth === 1) headers['authorization'] = `Bearer ${tamper(pick(random, tokens), random)}`;
      if (auth === 2) headers['authorization'] = `Bearer ${pick(random, tokens)}`;
      if (auth === 3) headers['cookie'] = `access_token=${tamper(fuzz.buyerToken, random)}`;
      const method = pick(random, methods);
      const query = random.int(0, 1) === 0 ? '' : `?q=${encodeURIComponent(pick(random, hostileStrings))}&page=${encodeURIComponent(String(pick(random, hostileValues)))}&minPrice=-5`;
      const path = `${pick(random, paths).replace(/\/x(?=\/|$)/, `/${encodeURIComponent(pick(random, hostileStrings).slice(0, 100))}`)}${query}`;
      const init: RequestInit = { method, headers };
      if (method !== 'GET' && method !== 'DELETE') init.body = hostileBody(random);
      const response = await fetch(`${fuzz.base}${path}`, init).catch((error: unknown) => ({ status: -1, text: async () => String(error) }));
      await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** The answers that break the rule: a 5xx, or no answer at all. */
export function serverErrorsOf(statuses: Map<number, number>): [number, number][] {
  return [...statuses].filter(([status]) => status >= 500 || status < 0);
}

export function answersIn(statuses: Map<number, number>): number {
  return [...statuses.values()].reduce((sum, count) => sum + count, 0);
}
