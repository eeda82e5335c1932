/**
 * Actor keys (DESIGN.md §2): an actor of kind `order` with id `o1` is addressed as `order:o1`, and
 * that key is also its journal and snapshot key. Keys are stored, so their shape must never
 * drift: every key is built here, and each decider takes its `kind` from `actorKinds` so the
 * prefix the runtime puts in front of an id (`${decider.kind}:${id}`) and the keys built here are
 * one and the same. Ids may themselves contain ':'; only the first one separates the kind.
 */

export const actorKinds = {
  wallet: 'wallet',
  order: 'order',
  seller: 'seller',
  checkout: 'checkout',
  analytics: 'analytics',
} as const;

export type ActorKind = (typeof actorKinds)[keyof typeof actorKinds];

/** Every kind, for validating a kind that comes from outside (an operator's `?kind=`). */
export const actorKindList: readonly [ActorKind, ...ActorKind[]] = [
  actorKinds.wallet,
  actorKinds.order,
  actorKinds.seller,
  actorKinds.checkout,
  actorKinds.analytics,
];

const separator = ':';

/** The prefix every key of this kind starts with: what a journal prefix scan takes. */
export function keyPrefix(kind: ActorKind): string {
  return `${kind}${separator}`;
}

export function actorKey(kind: ActorKind, id: string): string {
  return `${keyPrefix(kind)}${id}`;
}

export const walletKey = (userId: string): string => actorKey(actorKinds.wallet, userId);
export const orderKey = (orderId: string): string => actorKey(actorKinds.order, orderId);
export const sellerKey = (sellerId: string): string => actorKey(actorKinds.seller, sellerId);
export const checkoutKey = (checkoutId: string): string => actorKey(actorKinds.checkout, checkoutId);
export const analyticsKey = (id: string): string => actorKey(actorKinds.analytics, id);

/** Whether the key addresses an actor of this kind. */
export function isKeyOf(kind: ActorKind, key: string): boolean {
  return key.startsWith(keyPrefix(kind));
}

/** The id part of a key of this kind. A key of another kind here is a caller's bug: check with isKeyOf first. */
export function idOfKey(kind: ActorKind, key: string): string {
  if (!isKeyOf(kind, key)) throw new Error(`${key} is not a key of kind ${kind}`);
  return key.slice(keyPrefix(kind).length);
}

/** A key's kind and id, or undefined for a string with no kind before a ':'. */
export function parseKey(key: string): { readonly kind: string; readonly id: string } | undefined {
  const at = key.indexOf(separator);
  return at <= 0 ? undefined : { kind: key.slice(0, at), id: key.slice(at + separator.length) };
}
