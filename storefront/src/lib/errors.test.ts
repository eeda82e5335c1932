/**
 * Every error code the server can answer has a human sentence. The codes are collected from the
 * server's source the same way they were for errors.ts, so a new code without a sentence fails.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiFailure } from './api.ts';
import { describeError, knownErrorCodes, sentenceFor } from './errors.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.includes('fixtures') ? [path] : [];
  });
}

/** Codes thrown as ApiError, rejection unions of the deciders, the runtime's failures and the gateway's failure sets. */
function serverErrorCodes(): Set<string> {
  const codes = new Set<string>();
  const files = [...sourceFiles(join(repoRoot, 'gateway')), ...sourceFiles(join(repoRoot, 'actors')), ...sourceFiles(join(repoRoot, 'runtime'))];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bfailure\('([a-z_]+)'/g)) codes.add(match[1] ?? '');
    for (const match of text.matchAll(/ApiError\(\d{3}, '([a-z_]+)'/g)) codes.add(match[1] ?? '');
    for (const match of text.matchAll(/errorResponse\(\d{3}, '([a-z_]+)'/g)) codes.add(match[1] ?? '');
    for (const union of text.matchAll(/export type \w*Rejection =([^;]+);/g)) {
      for (const member of (union[1] ?? '').matchAll(/'([a-z_]+)'/g)) codes.add(member[1] ?? '');
    }
  }
  const failureSets = readFileSync(join(repoRoot, 'gateway/errors.ts'), 'utf8');
  for (const set of failureSets.matchAll(/new Set\(\[([^\]]+)\]/g)) {
    for (const member of (set[1] ?? '').matchAll(/'([a-z_]+)'/g)) codes.add(member[1] ?? '');
  }
  codes.delete('');
  return codes;
}

describe('error sentences', () => {
  it('covers every error code found in gateway/, actors/ and runtime/', () => {
    const codes = serverErrorCodes();
    expect(codes.size).toBeGreaterThan(30);
    const missing = [...codes].filter((code) => !knownErrorCodes.includes(code)).sort();
    expect(missing).toEqual([]);
  });

  it('turns a failure into its sentence', () => {
    expect(describeError(new ApiFailure(409, 'insufficient_funds', 'balance 5 < 10'))).toBe('Your wallet does not have enough money for this. Deposit funds and try again.');
    expect(describeError(new ApiFailure(0, 'network', 'the server could not be reached'))).toContain('could not be reached');
  });

  it('keeps the field detail of a validation failure', () => {
    expect(describeError(new ApiFailure(400, 'invalid_request', 'priceMinor: must be at least 1'))).toBe('Some of the details are not valid. PriceMinor: must be at least 1.');
  });

  it('falls back to the server message, as a sentence, for an unknown code', () => {
    expect(sentenceFor('brand_new_code', 'the moon is full')).toBe('The moon is full.');
  });
});
