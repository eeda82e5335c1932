import { describe, expect, it } from 'vitest';
import { correctedQuery, editDistance } from './did-you-mean.ts';

const hits = [
  { title: 'Scented Candle Mini', description: 'Handy scented candle from Nordic Home.' },
  { title: 'Studio Headphones', description: 'Elegant studio headphones from Aurora Electronics.' },
];

describe('correctedQuery', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('candel', 'candle')).toBe(1);
    expect(editDistance('hedphones', 'headphones')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('names the spelling the engine used for a typo', () => {
    expect(correctedQuery('candel', hits)).toBe('candle');
    expect(correctedQuery('Studio hedphones', hits)).toBe('studio headphones');
  });

  it('says nothing when the words were found as typed or as a prefix', () => {
    expect(correctedQuery('candle', hits)).toBeNull();
    expect(correctedQuery('headph', hits)).toBeNull();
    expect(correctedQuery('', hits)).toBeNull();
    expect(correctedQuery('candel', [])).toBeNull();
  });
});
