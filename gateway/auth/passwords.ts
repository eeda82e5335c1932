/**
 * Password hashing with argon2id at the OWASP parameters (DESIGN.md §7): 19 MiB, t=2, p=1,
 * about 25 ms a hash here. argon2 is pinned at 0.44.0: 0.45 ships N-API 10 binaries that crash
 * Node 20.
 */
import argon2 from 'argon2';
import type { PasswordHasher } from '../context.ts';

const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * A hash of a random password no one knows, made once with the same parameters as every real
 * hash (argon2's cost is read from the hash), so verifying against it costs what a real verify costs.
 */
export const decoyHash = '$argon2id$v=19$m=19456,t=2,p=1$rnAGs+QZdXKACbl8hQRZoQ$kLP+8X6RTGRJ3mGMQHsCd/gvb2TwTVU17xq+07/zIWU';

export class Argon2Hasher implements PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, options);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    try {
      if (hash === null) {
        await argon2.verify(decoyHash, password);
        return false;
      }
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is a failed login, not a crash.
      return false;
    }
  }
}
