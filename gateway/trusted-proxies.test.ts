/**
 * The per-IP login limit behind a load balancer, over real HTTP against the real gateway. Every
 * request here comes from 127.0.0.1, as every request behind HAProxy comes from the balancer:
 * with the balancer trusted (TRUSTED_PROXIES), each client is limited by the address in
 * X-Forwarded-For; with nothing trusted (the default), that header is ignored, so a client cannot
 * step around the limit by writing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './testing/gateway-harness.ts';

/** The default LOGINS_PER_MINUTE: the sixth attempt from one address within a minute is refused. */
const loginsPerMinute = 5;

/** One sign-in attempt (a wrong password costs what a right one does) as the balancer forwards it. */
async function login(harness: TestGateway, forwardedFor: string | undefined): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  const response = await fetch(`${harness.base}/api/auth/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email: 'nobody@example.test', password: 'not the password' }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function loginsFrom(harness: TestGateway, forwardedFor: ReadonlyArray<string | undefined>): Promise<number[]> {
  const statuses: number[] = [];
  // One after another: the limit counts attempts in order.
  for (const header of forwardedFor) statuses.push(await login(harness, header));
  return statuses;
}

const sixTimes = <T,>(make: (index: number) => T): T[] => Array.from({ length: loginsPerMinute + 1 }, (_, index) => make(index));
const refusedSixth = [...Array<number>(loginsPerMinute).fill(401), 429];

describe('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1)', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway({ TRUSTED_PROXIES: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('lets six logins from six forwarded addresses through the per-IP limit', async () => {
    expect(await loginsFrom(harness, sixTimes((index) => `198.51.100.${index + 1}`))).toEqual(sixTimes(() => 401));
  });

  it('refuses the sixth login in a minute from one forwarded address with 429', async () => {
    expect(await loginsFrom(harness, sixTimes(() => '203.0.113.10'))).toEqual(refusedSixth);
  });

  it('limits by the address the proxy saw, whatever the client wrote before it', async () => {
    // A client that sent its own X-Forwarded-For, a different one each time: the proxy added the
    // address it saw after it. (Separate header lines are joined in gateway/uws.ts; uws.test.ts.)
    expect(await loginsFrom(harness, sixTimes((index) => `192.0.2.${index + 1}, 203.0.113.20`))).toEqual(refusedSixth);
  });

  it('limits a request the proxy forwarded without the header by the proxy\'s own address', async () => {
    expect(await loginsFrom(harness, sixTimes(() => undefined))).toEqual(refusedSixth);
  });
});

describe('with nothing trusted (the default)', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway();
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('ignores X-Forwarded-For: six logins naming six addresses share the socket\'s limit', async () => {
    expect(await loginsFrom(harness, sixTimes((index) => `198.51.100.${index + 1}`))).toEqual(refusedSixth);
  });
});
