/**
 * Splits a batch of journal entries into the actor streams the read models project, and decides
 * which entries of a stream are new. The event processor delivers at least once, in (key, seq)
 * order, so an entry may come again, in the same batch or a later one; none may be skipped.
 */
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import type { SellerEvent } from '../../../actors/seller/seller-messages.ts';
import type { WalletEvent } from '../../../actors/wallet/wallet.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { keyPrefix } from '../../../actors/keys.ts';

export interface Stream<E> {
  /** The journal key, e.g. `wallet:u1`. */
  readonly key: string;
  /** The actor id: the key without its kind prefix. */
  readonly id: string;
  /** Ascending by seq, possibly with repeats. */
  readonly entries: readonly JournalEntry<E>[];
}

export interface Streams {
  readonly wallets: Stream<WalletEvent>[];
  readonly orders: Stream<OrderEvent>[];
  readonly sellers: Stream<SellerEvent>[];
}

export const walletPrefix = keyPrefix('wallet');
export const orderPrefix = keyPrefix('order');
export const sellerPrefix = keyPrefix('seller');

/** Groups entries by key. Keys of other actors (checkout:, …) are no read model's business. */
export function groupStreams(entries: readonly JournalEntry[]): Streams {
  const byKey = new Map<string, JournalEntry[]>();
  for (const entry of entries) {
    const list = byKey.get(entry.key);
    if (list === undefined) byKey.set(entry.key, [entry]);
    else list.push(entry);
  }
  const streams: Streams = { wallets: [], orders: [], sellers: [] };
  for (const [key, list] of byKey) {
    list.sort((left, right) => left.seq - right.seq);
    // Each key's writer journals its own event type (DESIGN.md §2), so the prefix names the type.
    if (key.startsWith(walletPrefix)) streams.wallets.push(streamOf<WalletEvent>(key, walletPrefix, list));
    else if (key.startsWith(orderPrefix)) streams.orders.push(streamOf<OrderEvent>(key, orderPrefix, list));
    else if (key.startsWith(sellerPrefix)) streams.sellers.push(streamOf<SellerEvent>(key, sellerPrefix, list));
  }
  return streams;
}

function streamOf<E>(key: string, prefix: string, entries: readonly JournalEntry[]): Stream<E> {
  return { key, id: key.slice(prefix.length), entries: entries as readonly JournalEntry<E>[] };
}

/**
 * The read model holds `key` up to `lastSeq` and the batch continues it from a later seq: an
 * entry in between was never projected, so every row of this stream may be wrong. Only a
 * rebuild from the journal repairs that (for example after the read-model tables were emptied
 * while the journal kept its processed flags).
 */
export class ProjectionGapError extends Error {
  override readonly name = 'ProjectionGapError';
  constructor(
    readonly key: string,
    readonly expectedSeq: number,
    readonly gotSeq: number,
  ) {
    super(
      `read models of ${key} are at seq ${expectedSeq - 1} but the next entry delivered is seq ${gotSeq}; ` +
        'entries in between were never projected: rebuild the read models (gateway/app/rebuild-cli.ts)',
    );
  }
}

/** The entries after `lastSeq` (the stream's head row's), which must follow it with no gap. */
export function unapplied<E>(stream: Stream<E>, lastSeq: number): JournalEntry<E>[] {
  const fresh: JournalEntry<E>[] = [];
  let expectedSeq = lastSeq + 1;
  for (const entry of stream.entries) {
    // Applied already: in an earlier delivery, or earlier in this batch.
    if (entry.seq < expectedSeq) continue;
    if (entry.seq > expectedSeq) throw new ProjectionGapError(stream.key, expectedSeq, entry.seq);
    fresh.push(entry);
    expectedSeq += 1;
  }
  return fresh;
}

/** Where an event sits in the journal: the basis of deterministic row ids. */
export interface EventPosition {
  readonly key: string;
  readonly seq: number;
  readonly index: number;
  readonly at: number;
}
