/**
 * The one place a consumer turns a journal entry's `unknown` events into an actor's event union.
 * The journal stores whatever the actor under the key journaled, and only the decider of that
 * key's kind journals under it, so the key's kind tells which union the events belong to: the
 * cast below is that fact, made once, instead of every consumer reading `type` strings blind.
 * An entry of another kind gives no events, so a caller can switch over what it gets.
 */
import type { JournalEntry } from '../adapters/journal.ts';
import { isKeyOf } from '../../actors/keys.ts';
import type { OrderEvent } from '../../actors/order/order-messages.ts';
import type { SellerEvent } from '../../actors/seller/seller-messages.ts';
import type { WalletEvent } from '../../actors/wallet/wallet-messages.ts';

export function orderEventsOf(entry: JournalEntry): readonly OrderEvent[] {
  return isKeyOf('order', entry.key) ? (entry.events as readonly OrderEvent[]) : [];
}

export function walletEventsOf(entry: JournalEntry): readonly WalletEvent[] {
  return isKeyOf('wallet', entry.key) ? (entry.events as readonly WalletEvent[]) : [];
}

export function sellerEventsOf(entry: JournalEntry): readonly SellerEvent[] {
  return isKeyOf('seller', entry.key) ? (entry.events as readonly SellerEvent[]) : [];
}
