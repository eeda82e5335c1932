/**
 * The full hostile-input fuzz (issue #12 moved it here from the fast tier, which sends a 2,000
 * request sample in gateway/hostile.test.ts): 10,000 seeded hostile HTTP requests against the
 * real gateway over real sockets. Not one answer may be ≥ 500 or missing, the server must keep
 * answering, and the ledger audit must stay clean. A failure prints the seed (FUZZ_SEED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto } from '../../gateway/api-types.ts';
import { startTestGateway, type TestGateway } from '../../gateway/testing/gateway-harness.ts';
import { answersIn, sendHostileRequests, serverErrorsOf } from '../../gateway/testing/hostile-requests.ts';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261124);
const hostileRequests = 10_000;

let harness: TestGateway;
let buyer: AuthDto;
let seller: AuthDto;

beforeAll(async () => {
  harness = await startTestGateway();
  buyer = await harness.register('fuzz-buyer@example.test', 'BUYER');
  seller = await harness.register('fuzz-seller@example.test', 'SELLER');
  await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'fund', amountMinor: 50_000 } });
});

afterAll(async () => {
  await harness?.close();
});

describe('hostile input, the full fuzz', () => {
  it(`answers 10,000 hostile HTTP requests without one 5xx (seed ${seed})`, async () => {
    const statuses = await sendHostileRequests({ base: harness.base, buyerToken: buyer.token, sellerToken: seller.token, seed, requests: hostileRequests });
    expect(serverErrorsOf(statuses), `seed ${seed}: ${JSON.stringify([...statuses])}`).toEqual([]);
    expect(answersIn(statuses)).toBeGreaterThanOrEqual(hostileRequests);
    expect((await harness.call('GET', '/healthz')).status).toBe(200);
  });

  it('keeps the ledger audit clean after the fuzzing', async () => {
    const admin = await harness.admin();
    const audit = await harness.call('GET', '/api/admin/ledger/audit', { token: admin.token });
    expect(audit.status).toBe(200);
    expect(audit.body.anomalies).toEqual([]);
    const wallet = await harness.call('GET', '/api/wallet', { token: buyer.token });
    expect(wallet.body.balanceMinor).toBeGreaterThanOrEqual(0);
  });
});
