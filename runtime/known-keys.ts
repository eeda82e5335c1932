/**
 * The keys the journal holds, as a Bloom filter, for a process that is the journal's only writer
 * (the embedded mode: PGlite in this process's data dir). Loading an actor costs a query even when
 * its key was never written, and a checkout wakes two such actors, one after the other, on its
 * critical path: a new checkout and a new order (issue #13). A key this filter has never seen is
 * new for certain, so it loads with no query.
 *
 * Exact where it answers "new": it is filled from every key the journal held when the process
 * started, and every key an actor of this process hands an entry for is added before the entry
 * reaches the log (entity.ts), so no key with entries is ever missing. A key added whose entry was
 * then rolled back, and the filter's false positives (about 1%), only cost the query they would
 * have cost anyway. Until the start-up read is done it answers "may exist" for every key.
 *
 * Not for a journal other processes write (PostgreSQL or MongoDB shared by gateway processes):
 * their keys would be missing, and an actor would start a history that already exists (its first
 * batch is then refused by the journal's `(key, seq)` uniqueness, which is correct but fails the
 * whole batch). A cluster node could use one per shard it leases, filled when it claims the shard.
 */

/** One filter of the chain: `capacity` keys at ~1% false positives (9.6 bits and 7 probes per key). */
class BloomFilter {
  private readonly bits: Uint32Array;
  private readonly size: number;
  count = 0;

  constructor(readonly capacity: number) {
    this.size = Math.max(1024, Math.ceil(capacity * 9.6));
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  add(first: number, second: number): void {
    for (let probe = 0; probe < probes; probe += 1) {
      const bit = (first + probe * second) % this.size;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count += 1;
  }

  has(first: number, second: number): boolean {
    for (let probe = 0; probe < probes; probe += 1) {
      const bit = (first + probe * second) % this.size;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const probes = 7;
const firstCapacity = 4_096;

export class KnownKeys {
  /** Each filter twice the capacity of the one before; a new key goes into the last. */
  private readonly filters: BloomFilter[] = [new BloomFilter(firstCapacity)];
  private ready = false;

  /** Reads every key the journal holds, once; until it is done every key may exist. */
  async fill(readKeys: () => Promise<readonly string[]>): Promise<void> {
    for (const key of await readKeys()) this.add(key);
    this.ready = true;
  }

  add(key: string): void {
    let last = this.filters.at(-1)!;
    if (last.count >= last.capacity) {
      last = new BloomFilter(last.capacity * 2);
      this.filters.push(last);
    }
    const [first, second] = hashes(key);
    last.add(first, second);
  }

  /** False only for a key the journal certainly does not hold. */
  mayHold(key: string): boolean {
    if (!this.ready) return true;
    const [first, second] = hashes(key);
    return this.filters.some((filter) => filter.has(first, second));
  }
}

/** Two independent 32-bit hashes of the key's UTF-16 code units (FNV-1a with two offset bases),
 *  combined by double hashing; the second is odd, so its probes never repeat early. */
function hashes(key: string): [number, number] {
  let first = 0x811c9dc5;
  let second = 0x01000193 ^ 0x9e3779b9;
  for (let index = 0; index < key.length; index += 1) {
    const unit = key.charCodeAt(index);
    first = Math.imul(first ^ unit, 0x01000193);
    second = Math.imul(second ^ unit, 0x01000193) ^ (second >>> 13);
  }
  return [first >>> 0, (second | 1) >>> 0];
}
