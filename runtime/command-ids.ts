/**
 * How an actor recognises a retried command id without a query per command (DESIGN.md §2a,
 * "memory is authoritative"). Exact, not probabilistic, because a hit is always confirmed:
 * - `hashes` holds a 32-bit hash of every command id the key holds: the ids of every entry read
 *   at load (the journal tail after the snapshot, plus one `commandIds` query when a snapshot
 *   was used) and of every entry this actor handed to the log since. No id of this key can be
 *   missing, so a miss proves the command is new and costs nothing.
 * - a hit is confirmed in `recent` (entries handed in and not yet known durable, with the
 *   events to answer with), else by one journal lookup; a hash collision then finds nothing and
 *   the command is decided as new.
 * A duplicate id therefore never reaches a batch from this process. Another process writing the
 * same key is not seen here; the journal's unique (key, commandId) refuses that batch, and the
 * rollback reloads the actor with the other writer's ids.
 */
export interface RecentEntry {
  readonly seq: number;
  readonly events: readonly unknown[];
  readonly ticket: number;
}

/** Entries kept in `recent` before the durable ones are pruned from it. */
const recentPruneAt = 64;

export class CommandIds {
  private readonly hashes = new Set<number>();
  private readonly recent = new Map<string, RecentEntry>();
  /** The id hashed last, and its hash: a command is looked up (`mightHold`), then added. */
  private lastId = '';
  private lastHash = hashOf('');

  static of(commandIds: Iterable<string>): CommandIds {
    const ids = new CommandIds();
    for (const commandId of commandIds) ids.hashes.add(hashOf(commandId));
    return ids;
  }

  mightHold(commandId: string): boolean {
    return this.hashes.has(this.hashOf(commandId));
  }

  recentEntry(commandId: string): RecentEntry | undefined {
    return this.recent.get(commandId);
  }

  /** Records an entry handed to the log; `isDurable` lets it forget durable ones in order. */
  add(commandId: string, entry: RecentEntry, isDurable: (ticket: number) => boolean): void {
    this.hashes.add(this.hashOf(commandId));
    this.recent.set(commandId, entry);
    if (this.recent.size < recentPruneAt) return;
    for (const [id, held] of this.recent) {
      if (!isDurable(held.ticket)) break;
      this.recent.delete(id);
    }
  }

  private hashOf(commandId: string): number {
    if (commandId !== this.lastId) {
      this.lastId = commandId;
      this.lastHash = hashOf(commandId);
    }
    return this.lastHash;
  }
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
