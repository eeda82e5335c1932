/**
 * Password hashing with argon2id at the OWASP parameters (DESIGN.md §7): 19 MiB, t=2, p=1,
 * about 25 ms a hash here. argon2 is pinned at 0.44.0: 0.45 ships N-API 10 binaries that crash
 * Node 20.
 */
import argon2 from 'argon2';
import type { PasswordHasher } from '../context.ts';

const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class Argon2Hasher implements PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, options);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is a failed login, not a crash.
      return false;
    }
  }
}
