/**
 * Loads actors in bulk (issue #13, "fewer and larger writes"): every actor that starts loading
 * in one turn of the event loop is read with the others (persistence/adapters/streams.ts: one
 * statement for all of them on SQL), instead of two queries each. A checkout wakes a checkout actor and an order
 * actor per seller, most of them new, so under load this removes most of the statements an order
 * costs. A stream longer than one page is read on by its actor (entity.ts) page by page.
 */
import type { StoredStream, StreamReader } from '../persistence/adapters/streams.ts';
import type { KnownKeys } from './known-keys.ts';

export type LoadedStream = StoredStream;

interface Waiting {
  readonly resolve: (stream: LoadedStream) => void;
  readonly reject: (error: unknown) => void;
}

export class StreamLoader {
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    private readonly streams: StreamReader,
    private readonly pageSize: number,
    private readonly knownKeys?: KnownKeys,
  ) {}

  load(key: string): Promise<LoadedStream> {
    // A key the journal certainly does not hold: a new actor, with nothing to read.
    if (this.knownKeys?.mayHold(key) === false) return Promise.resolve({ snapshot: null, entries: [] });
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(key);
      if (list === undefined) this.waiting.set(key, [{ resolve, reject }]);
      else list.push({ resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    const keys = [...waiting.keys()];
    try {
      const streams = await this.streams.loadStreams(keys, this.pageSize);
      for (const [key, list] of waiting) {
        const stream = streams.get(key) ?? { snapshot: null, entries: [] };
        for (const { resolve } of list) resolve(stream);
      }
    } catch (error) {
      for (const list of waiting.values()) for (const { reject } of list) reject(error);
    }
  }
}
