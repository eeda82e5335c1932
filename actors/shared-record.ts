/**
 * Records that grow with an actor's history (a seller's reservations, a wallet's sales) were
 * copied whole on every event by `{ ...record, [key]: value }`: each event cost O(n), so a busy
 * seller got slower with every order it took (half the main thread's time in the checkout
 * benchmark's hot-seller cell, bench/results/checkout-profile.json).
 *
 * `withEntry` sets one key and returns a new record, leaving the old one as it was. A small
 * record is copied as before. Past `sharedAbove` keys the result is a read-only view over a
 * store that shares structure with the record it came from: keys are spread over 256 buckets by
 * hash, and a write copies the bucket list and one bucket. The view (a Proxy) reads, iterates,
 * compares and serialises like the plain record it stands for, so the state's type, its JSON
 * (snapshots, the operator inspector) and every reader stay as they are. Writing to it, or
 * freezing it, throws: records in actor state are only ever replaced through `withEntry`.
 */

const bucketCount = 256;
/** Records up to this many keys stay plain objects (copying them costs less than a lookup through the view). */
export const sharedAbove = 64;

type Bucket<V> = Readonly<Record<string, V>>;

interface Store<V> {
  readonly buckets: readonly (Bucket<V> | undefined)[];
}

/** The store behind each view, so a write can find it again. */
const stores = new WeakMap<object, Store<unknown>>();

function bucketOf(key: string): number {
  // FNV-1a: cheap and well spread for short ids.
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % bucketCount;
}

function lookup<V>(store: Store<V>, key: string): { readonly found: boolean; readonly value: V | undefined } {
  const bucket = store.buckets[bucketOf(key)];
  if (bucket === undefined || !Object.hasOwn(bucket, key)) return { found: false, value: undefined };
  return { found: true, value: bucket[key] };
}

function keysOf(store: Store<unknown>): string[] {
  const keys: string[] = [];
  for (const bucket of store.buckets) if (bucket !== undefined) keys.push(...Object.keys(bucket));
  return keys;
}

function refuse(): boolean {
  return false;
}

/** The plain record a store stands for, built bucket by bucket (JSON.stringify's fast path). */
function plainOf<V>(store: Store<V>): Record<string, V> {
  const plain: Record<string, V> = {};
  for (const bucket of store.buckets) {
    if (bucket === undefined) continue;
    for (const key of Object.keys(bucket)) {
      // Assigning "__proto__" would set the prototype; it is defined as an own key instead.
      if (key === '__proto__') Object.defineProperty(plain, key, { value: bucket[key], writable: true, enumerable: true, configurable: true });
      else plain[key] = bucket[key] as V;
    }
  }
  return plain;
}

function view<V>(store: Store<V>): Record<string, V> {
  const handler: ProxyHandler<Record<string, V>> = {
    get(target, property, receiver) {
      if (typeof property === 'string') {
        const { found, value } = lookup(store, property);
        if (found) return value;
        // Serialising a snapshot of a big actor: one plain copy instead of a trap per key.
        if (property === 'toJSON') return () => plainOf(store);
      }
      return Reflect.get(target, property, receiver);
    },
    has(target, property) {
      return (typeof property === 'string' && lookup(store, property).found) || Reflect.has(target, property);
    },
    ownKeys() {
      return keysOf(store);
    },
    getOwnPropertyDescriptor(_target, property) {
      if (typeof property !== 'string') return undefined;
      const { found, value } = lookup(store, property);
      return found ? { value, writable: true, enumerable: true, configurable: true } : undefined;
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    preventExtensions: refuse,
  };
  const proxy = new Proxy<Record<string, V>>({}, handler);
  stores.set(proxy, store);
  return proxy;
}

function storeOf<V>(record: Readonly<Record<string, V>>): Store<V> {
  const buckets: Record<string, V>[] = [];
  for (const key of Object.keys(record)) {
    const index = bucketOf(key);
    const bucket = (buckets[index] ??= {});
    // Defined, not assigned: an id such as "__proto__" stays an own key, as in the record.
    Object.defineProperty(bucket, key, { value: record[key], writable: true, enumerable: true, configurable: true });
  }
  return { buckets: Array.from({ length: bucketCount }, (_, index) => buckets[index]) };
}

/** `record` with `key` set to `value`, as a new record; `record` itself is unchanged. */
export function withEntry<V>(record: Readonly<Record<string, V>>, key: string, value: V): Readonly<Record<string, V>> {
  const shared = stores.get(record) as Store<V> | undefined;
  if (shared === undefined && Object.keys(record).length < sharedAbove) return { ...record, [key]: value };
  const store = shared ?? storeOf(record);
  const index = bucketOf(key);
  const buckets = [...store.buckets];
  buckets[index] = { ...store.buckets[index], [key]: value };
  return view({ buckets });
}
