/**
 * Loads actors in bulk (issue #13, "fewer and larger writes"): every actor that starts loading
 * in one turn of the event loop is read with the others (persistence/adapters/streams.ts: one
 * statement for all of them on SQL), instead of two queries each. A checkout wakes a checkout actor and an order
 * actor per seller, most of them new, so under load this removes most of the statements an order
 * costs. A stream longer than one page is read on by its actor (entity.ts) page by page.
 *
 * A key can also be read ahead (`prefetch`): a new checkout's orders are read with the checkout
 * itself (Decider.relatedKeys), so the saga's first step does not wait for a second read on
 * PostgreSQL, where known keys cannot prove a key new. A read-ahead stream is as fresh as the
 * load it replaces, provided nothing of this process wrote the key since: the runtime reads
 * ahead only keys with no actor and nothing in flight, an entry handed for the key drops its
 * stream (`forget`), and a stream older than `prefetchKeptMs` is read again.
 */
import { performance } from 'node:perf_hooks';
import type { StoredStream, StreamReader } from '../persistence/adapters/streams.ts';
import type { KnownKeys } from './known-keys.ts';

export type LoadedStream = StoredStream;

interface Waiting {
  readonly resolve: (stream: LoadedStream) => void;
  readonly reject: (error: unknown) => void;
}

interface ReadAhead {
  readonly stream: LoadedStream;
  readonly atMs: number;
}

/** How long a stream read ahead may wait for its actor; a checkout's orders start within a few ms. */
export const prefetchKeptMs = 1_000;
/** Streams read ahead and not yet taken, at most: past it, keys load as usual. */
const prefetchHeldMax = 4_096;

export class StreamLoader {
  private waiting = new Map<string, Waiting[]>();
  /** Keys read ahead by a load in flight, with the actors that asked for them since. */
  private readonly reading = new Map<string, Waiting[]>();
  private readonly readAhead = new Map<string, ReadAhead>();
  private scheduled = false;

  constructor(
    private readonly streams: StreamReader,
    private readonly pageSize: number,
    private readonly knownKeys?: KnownKeys,
    private readonly now: () => number = () => performance.now(),
  ) {}

  load(key: string): Promise<LoadedStream> {
    // A key the journal certainly does not hold: a new actor, with nothing to read.
    if (this.knownKeys?.mayHold(key) === false) return Promise.resolve({ snapshot: null, entries: [] });
    const early = this.readAhead.get(key);
    if (early !== undefined) {
      this.readAhead.delete(key);
      if (this.now() - early.atMs <= prefetchKeptMs) return Promise.resolve(early.stream);
    }
    return new Promise((resolve, reject) => {
      // Read ahead by a load in flight: nothing of this process can have written the key since
      // that read began, as writing takes a loaded actor, and it would have joined this read.
      const list = this.reading.get(key) ?? this.waiting.get(key);
      if (list === undefined) this.waiting.set(key, [{ resolve, reject }]);
      else list.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Reads `key` with the next bulk load, for an actor that will start soon (see above). */
  prefetch(key: string): void {
    if (this.knownKeys?.mayHold(key) === false) return;
    if (this.waiting.has(key) || this.reading.has(key) || this.readAhead.has(key) || this.readAhead.size >= prefetchHeldMax) return;
    this.waiting.set(key, []);
    this.schedule();
  }

  /** This process handed an entry for `key`: a stream read ahead of it is stale. */
  forget(key: string): void {
    this.readAhead.delete(key);
    this.reading.delete(key);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    const keys = [...waiting.keys()];
    for (const [key, list] of waiting) if (list.length === 0) this.reading.set(key, list);
    try {
      const streams = await this.streams.loadStreams(keys, this.pageSize);
      const now = this.now();
      for (const [key, held] of this.readAhead) if (now - held.atMs > prefetchKeptMs) this.readAhead.delete(key);
      for (const [key, list] of waiting) {
        const stream = streams.get(key) ?? { snapshot: null, entries: [] };
        // Read ahead, asked for by no actor yet, and not forgotten meanwhile: kept for its actor.
        if (list.length === 0 && this.reading.get(key) === list) this.readAhead.set(key, { stream, atMs: now });
        for (const { resolve } of list) resolve(stream);
      }
    } catch (error) {
      for (const list of waiting.values()) for (const { reject } of list) reject(error);
    } finally {
      for (const [key, list] of waiting) if (this.reading.get(key) === list) this.reading.delete(key);
    }
  }
}
