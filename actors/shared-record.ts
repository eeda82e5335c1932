/**
 * Records that grow with an actor's history (a seller's reservations, a wallet's sales) were
 * copied whole on every event by `{ ...record, [key]: value }`: each event cost O(n), so a busy
 * seller got slower with every order it took (half the main thread's time in the checkout
 * benchmark's hot-seller cell, bench/results/checkout-profile.json).
 *
 * `withEntry` sets one key and returns a new record, leaving the old one as it was. A small
 * record is copied as before. Past `sharedAbove` keys the result is a read-only view over a
 * store that shares structure with the record it came from: keys are spread over 256 buckets by
 * hash, in 16 groups of 16, and a write copies the list of groups, one group and one bucket (it
 * copied a list of all 256 buckets, 2 KB a write, until issue #13's tenth round). The view (a
 * Proxy, one handler for every view) reads, iterates, compares and serialises like the plain
 * record it stands for, so the state's type, its JSON (snapshots, the operator inspector) and
 * every reader stay as they are. Writing to it, or freezing it, throws: records in actor state
 * are only ever replaced through `withEntry`.
 */

const bucketCount = 256;
/** The buckets sit in 16 groups of 16, so a write copies two short lists and one bucket, not a list of 256. */
const groupSize = 16;
/** Records up to this many keys stay plain objects (copying them costs less than a lookup through the view). */
export const sharedAbove = 64;

type Bucket<V> = Readonly<Record<string, V>>;
type Group<V> = readonly (Bucket<V> | undefined)[];

interface Store<V> {
  readonly groups: readonly (Group<V> | undefined)[];
}

const noGroup: Group<never> = Object.freeze(Array.from({ length: groupSize }, () => undefined));

/** Where each view keeps its store: a symbol-keyed, configurable property of the proxy's target,
 *  so one handler serves every view and a write finds the store without a lookup table. */
const storeKey = Symbol('shared-record store');

function bucketOf(key: string): number {
  // FNV-1a: cheap and well spread for short ids.
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % bucketCount;
}

function bucketAt<V>(store: Store<V>, index: number): Bucket<V> | undefined {
  return store.groups[Math.floor(index / groupSize)]?.[index % groupSize];
}

function lookup<V>(store: Store<V>, key: string): { readonly found: boolean; readonly value: V | undefined } {
  const bucket = bucketAt(store, bucketOf(key));
  if (bucket === undefined || !Object.hasOwn(bucket, key)) return { found: false, value: undefined };
  return { found: true, value: bucket[key] };
}

/** Every bucket, in bucket order: the order a view iterates and serialises in. */
function bucketsOf<V>(store: Store<V>): Bucket<V>[] {
  const buckets: Bucket<V>[] = [];
  for (const group of store.groups) {
    if (group === undefined) continue;
    for (const bucket of group) if (bucket !== undefined) buckets.push(bucket);
  }
  return buckets;
}

function keysOf(store: Store<unknown>): string[] {
  const keys: string[] = [];
  for (const bucket of bucketsOf(store)) keys.push(...Object.keys(bucket));
  return keys;
}

function refuse(): boolean {
  return false;
}

/** The plain record a store stands for, built bucket by bucket (JSON.stringify's fast path). */
function plainOf<V>(store: Store<V>): Record<string, V> {
  const plain: Record<string, V> = {};
  for (const bucket of bucketsOf(store)) {
    for (const key of Object.keys(bucket)) {
      // Assigning "__proto__" would set the prototype; it is defined as an own key instead.
      if (key === '__proto__') Object.defineProperty(plain, key, { value: bucket[key], writable: true, enumerable: true, configurable: true });
      else plain[key] = bucket[key] as V;
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
      const { found, value } = lookup(store, property);
      if (found) return value;
      // Serialising a snapshot of a big actor: one plain copy instead of a trap per key.
      if (property === 'toJSON') return () => plainOf(store);
    }
    return Reflect.get(target, property, receiver);
  },
  has(target, property) {
    return (typeof property === 'string' && lookup(storeIn(target), property).found) || Reflect.has(target, property);
  },
  ownKeys(target) {
    return keysOf(storeIn(target));
  },
  getOwnPropertyDescriptor(target, property) {
    if (typeof property !== 'string') return undefined;
    const { found, value } = lookup(storeIn(target), property);
    return found ? { value, writable: true, enumerable: true, configurable: true } : undefined;
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
  const groups: Record<string, V>[][] = [];
  for (const key of Object.keys(record)) {
    const index = bucketOf(key);
    const group = (groups[Math.floor(index / groupSize)] ??= []);
    const bucket = (group[index % groupSize] ??= {});
    // Defined, not assigned: an id such as "__proto__" stays an own key, as in the record.
    Object.defineProperty(bucket, key, { value: record[key], writable: true, enumerable: true, configurable: true });
  }
  return { groups: Array.from({ length: bucketCount / groupSize }, (_, index) => {
    const group = groups[index];
    return group === undefined ? undefined : Array.from({ length: groupSize }, (__, slot) => group[slot]);
  }) };
}

/** `record` with `key` set to `value`, as a new record; `record` itself is unchanged. */
export function withEntry<V>(record: Readonly<Record<string, V>>, key: string, value: V): Readonly<Record<string, V>> {
  const shared = sharedStoreOf(record);
  if (shared === undefined && Object.keys(record).length < sharedAbove) return { ...record, [key]: value };
  const store = shared ?? storeOf(record);
  const index = bucketOf(key);
  const at = Math.floor(index / groupSize);
  const slot = index % groupSize;
  const group = [...(store.groups[at] ?? noGroup)];
  group[slot] = { ...group[slot], [key]: value };
  const groups = [...store.groups];
  groups[at] = group;
  return view({ groups });
}
