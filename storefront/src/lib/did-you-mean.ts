/**
 * "Showing results for candle": the engine forgave a typo, and the shopper should see which
 * spelling it used. Both search adapters match silently, so the correction is read back from the
 * hits: a typed word that no word of any hit starts with is replaced by the closest word the hits
 * hold (Damerau–Levenshtein, so a swap of neighbours is one edit, as the engines count it).
 */

export interface TextOfHit {
  readonly title: string;
  readonly description: string;
}

function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** Optimal string alignment distance: insertions, deletions, substitutions and neighbour swaps. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_unused, i) => Array.from({ length: b.length + 1 }, (_unusedToo, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = rows[i];
      if (row !== undefined) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The query as the engine read it, or null when every typed word appears as typed (or as a prefix). */
export function correctedQuery(typed: string, hits: readonly TextOfHit[]): string | null {
  const typedWords = words(typed);
  if (typedWords.length === 0 || hits.length === 0) return null;
  const vocabulary = new Set(hits.flatMap((hit) => [...words(hit.title), ...words(hit.description)]));
  let changed = false;
  const read = typedWords.map((word) => {
    if ([...vocabulary].some((known) => known.startsWith(word))) return word;
    let best: { word: string; distance: number } | null = null;
    for (const known of vocabulary) {
      // Compare with the known word cut to about the typed length, so a typo in a prefix still counts.
      const distance = Math.min(editDistance(word, known), editDistance(word, known.slice(0, word.length)) + 0.5);
      if (best === null || distance < best.distance) best = { word: known, distance };
    }
    if (best === null || best.distance > 2) return word;
    changed = true;
    return best.word;
  });
  return changed ? read.join(' ') : null;
}
