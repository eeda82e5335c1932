/** Seeded randomness for property tests, simulations and benchmarks: the same seed, the same run. */

/** A small seeded PRNG (mulberry32) so simulations and property tests reproduce from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded random choices for simulations and property tests: the same seed, the same run. */
export class SeededRandom {
  private readonly source: () => number;
  constructor(seed: number) {
    this.source = seededRandom(seed);
  }
  /** A fraction in [0, 1). */
  next(): number {
    return this.source();
  }
  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.source() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.source() < probability;
  }
  pick<Item>(items: readonly Item[]): Item {
    const item = items[Math.floor(this.source() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}
