/**
 * ADMIN_EMAIL + ADMIN_PASSWORD make the operator account at start, once, through the real user
 * store and hasher; the account can sign in and reach the operator routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto } from '../api-types.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { ensureAdmin } from './admin.ts';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway?.close());

const admin = { email: 'ops@example.test', password: 'a long operator passphrase' };

describe('the bootstrap admin', () => {
  it('is made once, signs in as ADMIN and may run the ledger audit', async () => {
    expect(await ensureAdmin(gateway.gateway.context, admin)).toBe('created');
    expect(await ensureAdmin(gateway.gateway.context, { ...admin, password: 'another long passphrase' })).toBe('exists');
    const login = await fetch(`${gateway.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(admin) });
    expect(login.status).toBe(200);
    const auth = (await login.json()) as AuthDto;
    expect(auth.user.role).toBe('ADMIN');
    const audit = await fetch(`${gateway.base}/api/admin/ledger/audit`, { headers: { Authorization: `Bearer ${auth.token}` } });
    expect(audit.status).toBe(200);
  });

  it('never turns an existing buyer into an admin', async () => {
    const register = await fetch(`${gateway.base}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'buyer@example.test', password: 'a buyer passphrase', displayName: 'Buyer', role: 'BUYER' }),
    });
    expect(register.status).toBe(201);
    expect(await ensureAdmin(gateway.gateway.context, { email: 'buyer@example.test', password: 'a long operator passphrase' })).toBe('email_taken_by_non_admin');
    expect((await gateway.gateway.context.users.findByEmail('buyer@example.test'))?.role).toBe('BUYER');
  });
});
