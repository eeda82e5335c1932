import { describe, expect, it } from 'vitest';
import { ownEntry } from './own-entry.ts';
import { sharedAbove, withEntry } from './shared-record.ts';

function grown(count: number, prefix = 'o'): Readonly<Record<string, { readonly n: number }>> {
  let record: Readonly<Record<string, { readonly n: number }>> = {};
  for (let index = 0; index < count; index += 1) record = withEntry(record, `${prefix}${index}`, { n: index });
  return record;
}

function plain(count: number, prefix = 'o'): Record<string, { readonly n: number }> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, { n: index }]));
}

describe('withEntry', () => {
  it('reads, iterates, compares and serialises like the plain record, below and above the sharing size', () => {
    for (const count of [3, sharedAbove + 1, 1_000]) {
      const record = grown(count);
      const expected = plain(count);
      expect(record).toEqual(expected);
      expect(JSON.parse(JSON.stringify(record))).toEqual(expected);
      expect(new Set(Object.keys(record))).toEqual(new Set(Object.keys(expected)));
      expect(Object.values(record).reduce((sum, entry) => sum + entry.n, 0)).toBe((count * (count - 1)) / 2);
      expect({ ...record }).toEqual(expected);
      expect(ownEntry(record, 'o2')).toEqual({ n: 2 });
      expect(Object.hasOwn(record, `o${count}`)).toBe(false);
      expect('o1' in record).toBe(true);
    }
  });

  it('leaves the record it came from unchanged', () => {
    const before = grown(500);
    const after = withEntry(withEntry(before, 'o7', { n: -7 }), 'new', { n: -1 });
    expect(before['o7']).toEqual({ n: 7 });
    expect(Object.hasOwn(before, 'new')).toBe(false);
    expect(Object.keys(before)).toHaveLength(500);
    expect(after['o7']).toEqual({ n: -7 });
    expect(Object.keys(after)).toHaveLength(501);
  });

  it('stays exact past many leaf splits: every key found, overwrites seen only by the new record', () => {
    const count = 20_000;
    const record = grown(count);
    const overwritten = withEntry(withEntry(record, 'o19999', { n: -1 }), 'o0', { n: -2 });
    expect(Object.keys(record)).toHaveLength(count);
    for (let index = 0; index < count; index += 1) expect(ownEntry(record, `o${index}`)).toEqual({ n: index });
    expect(Object.keys(overwritten)).toHaveLength(count);
    expect(ownEntry(overwritten, 'o19999')).toEqual({ n: -1 });
    expect(ownEntry(overwritten, 'o0')).toEqual({ n: -2 });
    expect(ownEntry(record, 'o19999')).toEqual({ n: 19_999 });
    expect(JSON.parse(JSON.stringify(overwritten))).toEqual({ ...plain(count), o19999: { n: -1 }, o0: { n: -2 } });
  });

  it('takes over a large plain record, as a snapshot loads it', () => {
    const loaded: Readonly<Record<string, { readonly n: number }>> = JSON.parse(JSON.stringify(plain(300)));
    const next = withEntry(loaded, 'o300', { n: 300 });
    expect(next).toEqual(plain(301));
    expect(Object.keys(loaded)).toHaveLength(300);
  });

  it('keeps ids that name Object.prototype members as own entries, never inherited ones', () => {
    let record = grown(200);
    expect(ownEntry(record, 'constructor')).toBeUndefined();
    expect(ownEntry(record, 'toString')).toBeUndefined();
    record = withEntry(withEntry(record, 'constructor', { n: -1 }), '__proto__', { n: -2 });
    expect(ownEntry(record, 'constructor')).toEqual({ n: -1 });
    expect(ownEntry(record, '__proto__')).toEqual({ n: -2 });
    expect(JSON.parse(JSON.stringify(record))['constructor']).toEqual({ n: -1 });
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });

  it('refuses writes and freezing: a record in actor state changes only through withEntry', () => {
    const record = grown(200) as Record<string, { readonly n: number }>;
    expect(() => {
      record['o1'] = { n: 0 };
    }).toThrow(TypeError);
    expect(() => delete record['o1']).toThrow(TypeError);
    expect(() => Object.freeze(record)).toThrow(TypeError);
    expect(record['o1']).toEqual({ n: 1 });
  });
});
