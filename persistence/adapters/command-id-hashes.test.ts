import { describe, expect, it } from 'vitest';
import { hashesFromBytes, hashesToBytes } from './command-id-hashes.ts';

describe('command-id hashes as stored bytes', () => {
  it('stores hashes as little-endian bytes and reads them back from any offset', () => {
    const hashes = Uint32Array.of(0, 1, 0x80000000, 0xffffffff);
    const bytes = hashesToBytes(hashes);
    expect(Array.from(bytes.subarray(4, 8))).toEqual([1, 0, 0, 0]);
    const unaligned = new Uint8Array(bytes.length + 1);
    unaligned.set(bytes, 1);
    expect(hashesFromBytes(unaligned.subarray(1))).toEqual(hashes);
    expect(() => hashesFromBytes(new Uint8Array(3))).toThrow(/multiple of 4/);
  });
});
