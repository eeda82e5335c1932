/** The auth parts on their own: tokens, limiter, secret file, password hashes and the user table on PGlite. */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.ts';
import type { Db } from '../../persistence/adapters/db.ts';
import { openMigratedPglite } from '../../persistence/adapters/testing/pglite-template.ts';
import { Argon2Hasher } from './passwords.ts';
import { InProcessRateLimiter } from './rate-limit.ts';
import { resolveJwtSecret } from './secret.ts';
import { JoseTokenService, tokenLifetimeMs } from './tokens.ts';
import { SqlUserStore } from '../../persistence/adapters/users.ts';

const secret = 'a test secret that is long enough for HS256';
const principal = { userId: 'u1', role: 'SELLER', email: 'a@example.test', sessionId: 'session_1' } as const;

describe('JoseTokenService', () => {
  it('round-trips a principal until the 7-day expiry, on the injected clock', async () => {
    const clock = new VirtualClock();
    const tokens = new JoseTokenService(secret, clock);
    const issued = await tokens.issue(principal);
    expect(issued.expiresAt).toBe(clock.now() + tokenLifetimeMs);
    expect(await tokens.verify(issued.token)).toEqual(principal);
    clock.advance(tokenLifetimeMs + 1_000);
    expect(await tokens.verify(issued.token)).toBeNull();
  });

  it('answers null for another key, garbage, and an unknown role', async () => {
    const clock = new VirtualClock();
    const issued = await new JoseTokenService('another secret that is long enough!!', clock).issue(principal);
    const tokens = new JoseTokenService(secret, clock);
    expect(await tokens.verify(issued.token)).toBeNull();
    expect(await tokens.verify('not.a.token')).toBeNull();
    expect(await tokens.verify('')).toBeNull();
    const nowSeconds = Math.floor(clock.now() / 1000);
    const badRole = await new SignJWT({ role: 'ROOT', email: 'a@example.test' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer('bazaary')
      .setIssuedAt(nowSeconds).setExpirationTime(nowSeconds + 60).sign(new TextEncoder().encode(secret));
    expect(await tokens.verify(badRole)).toBeNull();
  });
});

describe('InProcessRateLimiter', () => {
  it('allows N per window per key, then tells how long to wait', async () => {
    const clock = new VirtualClock();
    const limiter = new InProcessRateLimiter(2, 1_000, clock);
    expect((await limiter.hit('a')).allowed).toBe(true);
    clock.advance(400);
    expect((await limiter.hit('a')).allowed).toBe(true);
    expect(await limiter.hit('a')).toEqual({ allowed: false, retryAfterMs: 600 });
    expect((await limiter.hit('b')).allowed).toBe(true);
    clock.advance(600);
    expect((await limiter.hit('a')).allowed).toBe(true);
  });
});

describe('resolveJwtSecret', () => {
  it('prefers the configured secret, else creates a 0600 file and reuses it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bazaary-secret-')), 'data');
    expect(await resolveJwtSecret('configured', dir)).toBe('configured');
    const first = await resolveJwtSecret(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(64);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(await resolveJwtSecret(undefined, dir)).toBe(first);
  });
});

describe('Argon2Hasher', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const hasher = new Argon2Hasher();
    const hash = await hasher.hash('long enough pw');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, 'long enough pw')).toBe(true);
    expect(await hasher.verify(hash, 'wrong')).toBe(false);
    expect(await hasher.verify('not a hash', 'long enough pw')).toBe(false);
  });
});

describe('SqlUserStore', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openMigratedPglite();
  }, 60_000);
  afterAll(async () => {
    await db.close();
  });

  it('stores lower-case emails and refuses a taken one', async () => {
    const users = new SqlUserStore(db);
    const user = { id: 'u1', email: 'Ann@Example.test', role: 'BUYER', displayName: 'Ann', passwordHash: 'h', createdAt: 1_700_000_000_000 } as const;
    expect(await users.create(user)).toEqual({ ...user, email: 'ann@example.test' });
    expect(await users.create({ ...user, id: 'u2', email: 'ANN@example.test' })).toBeNull();
    expect((await users.findByEmail('ANN@EXAMPLE.TEST'))?.id).toBe('u1');
    expect((await users.findById('u1'))?.createdAt).toBe(1_700_000_000_000);
    expect(await users.findById('u2')).toBeNull();
    await expect(db.query(`INSERT INTO users (id, email, password_hash, role, display_name, created_at) VALUES ('u3', 'x@y', 'h', 'ROOT', 'X', 0)`, [])).rejects.toThrow();
  });
});
