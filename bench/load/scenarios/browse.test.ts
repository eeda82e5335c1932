import { describe, expect, it } from 'vitest';
import { partitionMarket } from '../market.ts';
import { typoTerms, withTypo } from './browse.ts';

/** Levenshtein distance, to prove a typo stays within the one edit the search tolerates. */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

describe('search terms with typos', () => {
  it('puts exactly one edit into every word, at varying places', () => {
    const words = ['walnut', 'ceramic', 'lantern', 'stool'];
    const typos = words.map((word, index) => withTypo(word, index));
    typos.forEach((typo, index) => {
      expect(typo).not.toBe(words[index]);
      expect(editDistance(typo, words[index] ?? '')).toBe(1);
    });
    expect(new Set([0, 1, 2, 3].map((seed) => withTypo('walnut', seed))).size).toBe(4);
  });

  it('takes words of five letters or more from titles, each once', () => {
    expect(typoTerms(['Walnut desk lamp', 'walnut stool', 'A big mirror!']).map((term) => term.length)).toEqual([7, 6, 7]);
  });
});

describe('partitionMarket', () => {
  it('gives every account to exactly one generator', () => {
    const account = (id: string) => ({ userId: id, token: `t-${id}` });
    const market = { sellers: ['s0', 's1', 's2'].map((id) => ({ ...account(id), productIds: [`p-${id}`] })), buyers: ['b0', 'b1', 'b2', 'b3', 'b4'].map(account) };
    const parts = [0, 1].map((index) => partitionMarket(market, index, 2));
    expect(parts.flatMap((part) => part.sellers.map((seller) => seller.userId)).sort()).toEqual(['s0', 's1', 's2']);
    expect(parts.flatMap((part) => part.buyers.map((buyer) => buyer.userId)).sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(parts.every((part) => part.sellers.length > 0 && part.buyers.length > 0)).toBe(true);
  });
});
