/**
 * How an actor recognises a retried command id without a query per command (DESIGN.md §2a,
 * "memory is authoritative"). Exact, not probabilistic, because a hit is always confirmed:
 * - the filter holds a 32-bit hash of every command id the key holds: those its snapshot carries
 *   (`hashes()` at the save, a superset of the ids up to its seq), or, for a snapshot without
 *   them, one `commandIds` query at load; the ids of the entries read after the snapshot; and of
 *   every entry this actor handed to the log since. No id of this key can be missing, so a miss
 *   proves the command is new and costs nothing.
 * - a hit is confirmed in `recent` (entries handed in and not yet known durable, with the
 *   events to answer with), else by one journal lookup; a hash collision, or the hash of an entry
 *   that was lost with its batch, then finds nothing and the command is decided as new.
 * A duplicate id therefore never reaches a batch from this process. Another process writing the
 * same key is not seen here; the journal's unique (key, commandId) refuses that batch, and the
 * rollback reloads the actor with the other writer's ids.
 *
 * The hashes sit in a sorted Uint32Array (four bytes each; a Set of numbers took about five
 * times that) plus a Set of those added since it was last merged, merged once the Set is as
 * large as the array.
 */
export interface RecentEntry {
  readonly seq: number;
  readonly events: readonly unknown[];
  readonly ticket: number;
}

/** Entries kept in `recent` before the durable ones are pruned from it. */
const recentPruneAt = 64;
/** Hashes added before the first merge into the sorted array. */
const mergeAtLeast = 256;
/** The sorted array of an actor with none yet, shared: it is never written, only replaced. */
const noHashes = new Uint32Array(0);

export class CommandIds {
  /** Ascending, no repeats. */
  private sorted: Uint32Array;
  private added = new Set<number>();
  private readonly recent = new Map<string, RecentEntry>();
  /** The id hashed last, and its hash: a command is looked up (`mightHold`), then added. */
  private lastId = '';
  private lastHash = hashOf('');

  private constructor(sorted: Uint32Array) {
    this.sorted = sorted;
  }

  static of(commandIds: Iterable<string>): CommandIds {
    const ids = new CommandIds(noHashes);
    for (const commandId of commandIds) ids.note(commandId);
    return ids;
  }

  /** The filter a snapshot carried (`hashes()`); null when the hashes do not ascend (a
   *  damaged snapshot: the ids are then read instead). */
  static fromHashes(hashes: Uint32Array): CommandIds | null {
    for (let index = 1; index < hashes.length; index += 1) {
      if ((hashes[index] as number) <= (hashes[index - 1] as number)) return null;
    }
    return new CommandIds(hashes);
  }

  /** Records the id of a stored entry (read at load); `add` records one handed to the log. */
  note(commandId: string): void {
    this.record(hashOf(commandId));
  }

  mightHold(commandId: string): boolean {
    const hash = this.hashOf(commandId);
    return this.added.has(hash) || holds(this.sorted, hash);
  }

  recentEntry(commandId: string): RecentEntry | undefined {
    return this.recent.get(commandId);
  }

  /** Records an entry handed to the log; `isDurable` lets it forget durable ones in order. */
  add(commandId: string, entry: RecentEntry, isDurable: (ticket: number) => boolean): void {
    this.record(this.hashOf(commandId));
    this.recent.set(commandId, entry);
    if (this.recent.size < recentPruneAt) return;
    for (const [id, held] of this.recent) {
      if (!isDurable(held.ticket)) break;
      this.recent.delete(id);
    }
  }

  /** Every hash held, ascending: what a snapshot carries. */
  hashes(): Uint32Array {
    if (this.added.size > 0) this.merge();
    return this.sorted;
  }

  /** Every id recorded, stored or handed in, goes through here, so the Set never outgrows the
   *  array (an old snapshot's ids, read at load, are merged as they come). */
  private record(hash: number): void {
    this.added.add(hash);
    if (this.added.size >= Math.max(mergeAtLeast, this.sorted.length)) this.merge();
  }

  private merge(): void {
    const fresh = Uint32Array.from(this.added).sort();
    const merged = new Uint32Array(this.sorted.length + fresh.length);
    let length = 0;
    let left = 0;
    let right = 0;
    while (left < this.sorted.length || right < fresh.length) {
      const fromLeft = right >= fresh.length || (left < this.sorted.length && (this.sorted[left] as number) <= (fresh[right] as number));
      const next = fromLeft ? (this.sorted[left++] as number) : (fresh[right++] as number);
      if (length === 0 || merged[length - 1] !== next) merged[length++] = next;
    }
    this.sorted = merged.subarray(0, length);
    this.added = new Set();
  }

  private hashOf(commandId: string): number {
    if (commandId !== this.lastId) {
      this.lastId = commandId;
      this.lastHash = hashOf(commandId);
    }
    return this.lastHash;
  }
}

function holds(sorted: Uint32Array, hash: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = sorted[middle] as number;
    if (at === hash) return true;
    if (at < hash) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

function hashOf(text: string): number {
  // FNV-1a: cheap and well spread for short ids; collisions only cost a lookup.
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
