import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, maxJsonDepth } from './json-limits.ts';

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(exceedsJsonDepth('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(exceedsJsonDepth(JSON.stringify({ text: '[[[[[[{{{{{{' }), 2)).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ text: 'quote \\" then [[[[' }), 1)).toBe(false);
  });

  it('accepts the default depth and refuses one more', () => {
    expect(exceedsJsonDepth('['.repeat(maxJsonDepth) + ']'.repeat(maxJsonDepth))).toBe(false);
    expect(exceedsJsonDepth('['.repeat(maxJsonDepth + 1) + ']'.repeat(maxJsonDepth + 1))).toBe(true);
    expect(exceedsJsonDepth('{"a":'.repeat(15_000) + '1' + '}'.repeat(15_000))).toBe(true);
  });
});
