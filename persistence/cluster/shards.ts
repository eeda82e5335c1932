/**
 * Scale-out placement (issue #16): which shard a key belongs to, and which live node should own a
 * shard. Pure functions; the lease table that makes an owner real is adapters/shard-leases.ts.
 *
 * It sits in persistence/, not runtime/, because the journal needs `shardOf` to fence a batch
 * (adapters/journal-fence.ts) and imports only point down; the runtime imports it from here.
 *
 * Both answers must be the same in every process and every version of the code, since nodes
 * that disagree about a key's shard would both think they own it (the fence would still refuse
 * one of them, but every command would bounce). So the hash is spelled out here, not taken from
 * a library, and shards.test.ts pins known values: changing it is a data migration.
 */

/** The hash every placement decision uses: FNV-1a (32 bits) over the text's UTF-8 bytes, then
 *  murmur3's 32-bit finaliser. FNV-1a alone leaves its low bits depending only on the low bits of
 *  each byte (so `wallet:a` and `wallet:1` would always share a shard of 16); the finaliser mixes
 *  every input bit into every output bit. */
export function placementHash(text: string): number {
  let hash = 0x811c9dc5;
  const mix = (byte: number) => {
    hash = Math.imul(hash ^ byte, 0x01000193);
  };
  for (let index = 0; index < text.length; index += 1) {
    let code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const low = text.charCodeAt(index + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        index += 1;
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) mix(code);
    else if (code < 0x800) {
      mix(0xc0 | (code >> 6));
      mix(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      mix(0xe0 | (code >> 12));
      mix(0x80 | ((code >> 6) & 0x3f));
      mix(0x80 | (code & 0x3f));
    } else {
      mix(0xf0 | (code >> 18));
      mix(0x80 | ((code >> 12) & 0x3f));
      mix(0x80 | ((code >> 6) & 0x3f));
      mix(0x80 | (code & 0x3f));
    }
  }
  return fmix32(hash);
}

/** murmur3's 32-bit finaliser (exported for the tests' reference spelling of the hash). */
export function fmix32(input: number): number {
  let hash = input;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A shard count is fixed for the life of a cluster (changing it moves most keys). */
export function checkShardCount(shardCount: number): void {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 65_536) {
    throw new RangeError(`shardCount must be an integer in [1, 65536], got ${shardCount}`);
  }
}

/** The shard of a whole actor key (`wallet:<id>`, `order:<id>`), in [0, shardCount). */
export function shardOf(key: string, shardCount: number): number {
  checkShardCount(shardCount);
  return placementHash(key) % shardCount;
}

/** A node's weight for a shard in rendezvous hashing. The shard comes first and ends at the
 *  first '/', so no (shard, node) pair spells the same text as another. */
function weight(shard: number, node: string): number {
  return placementHash(`${shard}/${node}`);
}

/**
 * Rendezvous (highest-random-weight) hashing: the live node with the highest weight for the shard
 * owns it, or null when no node is live. Every node computes the same answer from the same list,
 * in any order. When a node joins, only the shards it now wins move (to it); when a node leaves,
 * only its own shards move, each to the runner-up. Ties (one in 2^32) go to the smaller name.
 */
export function rendezvousOwner(shard: number, liveNodes: readonly string[]): string | null {
  let owner: string | null = null;
  let best = -1;
  for (const node of liveNodes) {
    const nodeWeight = weight(shard, node);
    if (nodeWeight > best || (nodeWeight === best && owner !== null && node < owner)) {
      owner = node;
      best = nodeWeight;
    }
  }
  return owner;
}

/** The shards `node` should claim when `liveNodes` (which should include it) are live. */
export function shardsPlacedOn(node: string, liveNodes: readonly string[], shardCount: number): number[] {
  checkShardCount(shardCount);
  const shards: number[] = [];
  for (let shard = 0; shard < shardCount; shard += 1) if (rendezvousOwner(shard, liveNodes) === node) shards.push(shard);
  return shards;
}
