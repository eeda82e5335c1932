/**
 * Records that grow with an actor's history (a seller's reservations, a wallet's sales) were
 * copied whole on every event by `{ ...record, [key]: value }`: each event cost O(n), so a busy
 * seller got slower with every order it took (half the main thread's time in the checkout
 * benchmark's hot-seller cell, bench/results/checkout-profile.json).
 *
 * `withEntry` sets one key and returns a new record, leaving the old one as it was. A small
 * record is copied as before. Past `sharedAbove` keys the result is a read-only view over a
 * persistent hash trie that shares structure with the record it came from: a branch has 16
 * children, picked by four bits of the key's hash, and a leaf holds at most `leafMax` keys before
 * it splits into a branch, so a write copies one short array per level and one small leaf,
 * whatever the record's size (about log16(n / 8) levels: 3 at 10,000 keys). Until issue #13's
 * twelfth round the keys sat in a fixed 256 buckets, so a write copied a bucket of n / 256 keys:
 * 10 µs at 10,000 keys and 86 µs at 50,000, which a hot seller's reservations reach in minutes;
 * now 1.3 and 2.2 µs. Reads walk one level more (0.6 → 0.8 µs at 10,000 keys).
 * The view (a Proxy, one handler for every view) reads, iterates, compares and serialises like
 * the plain record it stands for, so the state's type, its JSON (snapshots, the operator
 * inspector) and every reader stay as they are. Writing to it, or freezing it, throws: records
 * in actor state are only ever replaced through `withEntry`.
 */

/** Records up to this many keys stay plain objects (copying them costs less than a lookup through the view). */
export const sharedAbove = 64;
/** Keys a leaf holds before it splits (unless the hash's bits are used up: then it grows). */
const leafMax = 8;
/** Bits of the hash each level uses: 16 children a branch. */
const bitsPerLevel = 4;
const branchWidth = 1 << bitsPerLevel;
const hashBits = 32;

/** A leaf keeps its keys' hashes, so a split places them without hashing them again. */
interface Leaf<V> {
  readonly hashes: readonly number[];
  readonly keys: readonly string[];
  readonly values: readonly V[];
}
/** A branch: `branchWidth` children, each a node or undefined. */
type Branch<V> = readonly (TrieNode<V> | undefined)[];
type TrieNode<V> = Leaf<V> | Branch<V>;

interface Store<V> {
  readonly root: TrieNode<V>;
}

function isBranch<V>(node: TrieNode<V>): node is Branch<V> {
  return Array.isArray(node);
}

/** Where each view keeps its store: a symbol-keyed, configurable property of the proxy's target,
 *  so one handler serves every view and a write finds the store without a lookup table. */
const storeKey = Symbol('shared-record store');

function hashOf(key: string): number {
  // FNV-1a: cheap and well spread for short ids.
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function slotOf(hash: number, shift: number): number {
  return (hash >>> shift) & (branchWidth - 1);
}

const absent: unique symbol = Symbol('absent');

function lookup<V>(store: Store<V>, key: string): V | typeof absent {
  const hash = hashOf(key);
  let node: TrieNode<V> | undefined = store.root;
  for (let shift = 0; node !== undefined && isBranch(node); shift += bitsPerLevel) node = node[slotOf(hash, shift)];
  if (node === undefined) return absent;
  const index = node.keys.indexOf(key);
  return index < 0 ? absent : (node.values[index] as V);
}

/** `node` with `key` set, as a new node: the path to the key is copied, the rest is shared. */
function inserted<V>(node: TrieNode<V> | undefined, hash: number, key: string, value: V, shift: number): TrieNode<V> {
  if (node === undefined) return { hashes: [hash], keys: [key], values: [value] };
  if (isBranch(node)) {
    const slot = slotOf(hash, shift);
    const branch = [...node];
    branch[slot] = inserted(node[slot], hash, key, value, shift + bitsPerLevel);
    return branch;
  }
  const index = node.keys.indexOf(key);
  if (index >= 0) {
    const values = [...node.values];
    values[index] = value;
    return { hashes: node.hashes, keys: node.keys, values };
  }
  if (node.keys.length < leafMax || shift >= hashBits) {
    return { hashes: [...node.hashes, hash], keys: [...node.keys, key], values: [...node.values, value] };
  }
  // A full leaf becomes a branch over its keys, one level down.
  let split: TrieNode<V> = Array.from({ length: branchWidth }, () => undefined);
  node.keys.forEach((each, at) => (split = inserted(split, node.hashes[at] ?? 0, each, node.values[at] as V, shift)));
  return inserted(split, hash, key, value, shift);
}

/** Every leaf, depth first in slot order: the order a view iterates and serialises in. */
function leavesOf<V>(node: TrieNode<V> | undefined, leaves: Leaf<V>[] = []): Leaf<V>[] {
  if (node === undefined) return leaves;
  if (!isBranch(node)) leaves.push(node);
  else for (const child of node) leavesOf(child, leaves);
  return leaves;
}

function keysOf(store: Store<unknown>): string[] {
  const keys: string[] = [];
  for (const leaf of leavesOf(store.root)) keys.push(...leaf.keys);
  return keys;
}

function refuse(): boolean {
  return false;
}

/** The plain record a store stands for, built leaf by leaf (JSON.stringify's fast path). */
function plainOf<V>(store: Store<V>): Record<string, V> {
  const plain: Record<string, V> = {};
  for (const { keys, values } of leavesOf(store.root)) {
    for (let index = 0; index < keys.length; index += 1) {
      const key = keys[index] as string;
      // Assigning "__proto__" would set the prototype; it is defined as an own key instead.
      if (key === '__proto__') Object.defineProperty(plain, key, { value: values[index], writable: true, enumerable: true, configurable: true });
      else plain[key] = values[index] as V;
    }
  }
  return plain;
}

function storeIn<V>(target: object): Store<V> {
  return (target as { readonly [storeKey]: Store<V> })[storeKey];
}

const handler: ProxyHandler<Record<string, unknown>> = {
  get(target, property, receiver) {
    if (typeof property === 'string') {
      const store = storeIn(target);
      const value = lookup(store, property);
      if (value !== absent) return value;
      // Serialising a snapshot of a big actor: one plain copy instead of a trap per key.
      if (property === 'toJSON') return () => plainOf(store);
    }
    return Reflect.get(target, property, receiver);
  },
  has(target, property) {
    return (typeof property === 'string' && lookup(storeIn(target), property) !== absent) || Reflect.has(target, property);
  },
  ownKeys(target) {
    return keysOf(storeIn(target));
  },
  getOwnPropertyDescriptor(target, property) {
    if (typeof property !== 'string') return undefined;
    const value = lookup(storeIn(target), property);
    return value === absent ? undefined : { value, writable: true, enumerable: true, configurable: true };
  },
  set: refuse,
  defineProperty: refuse,
  deleteProperty: refuse,
  preventExtensions: refuse,
};

function view<V>(store: Store<V>): Record<string, V> {
  const target = {};
  Object.defineProperty(target, storeKey, { value: store, configurable: true });
  return new Proxy(target, handler) as Record<string, V>;
}

function sharedStoreOf<V>(record: Readonly<Record<string, V>>): Store<V> | undefined {
  return (record as { readonly [storeKey]?: Store<V> })[storeKey];
}

function storeOf<V>(record: Readonly<Record<string, V>>): Store<V> {
  let root: TrieNode<V> = Array.from({ length: branchWidth }, () => undefined);
  for (const key of Object.keys(record)) root = inserted(root, hashOf(key), key, record[key] as V, 0);
  return { root };
}

/** `record` with `key` set to `value`, as a new record; `record` itself is unchanged. */
export function withEntry<V>(record: Readonly<Record<string, V>>, key: string, value: V): Readonly<Record<string, V>> {
  const shared = sharedStoreOf(record);
  if (shared === undefined && Object.keys(record).length < sharedAbove) return { ...record, [key]: value };
  const store = shared ?? storeOf(record);
  return view({ root: inserted(store.root, hashOf(key), key, value, 0) });
}
