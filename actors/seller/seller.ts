/**
 * The seller actor's pure core (`seller:<sellerId>`): profile and lifecycle, the catalog, stock
 * reservations for orders. Messages are in seller-messages.ts, `evolve` in
 * seller-evolve.ts, catalog rules in seller-catalog.ts.
 *
 * Reservations are idempotent by orderId because the order saga retries them after crashes and
 * lost replies: the same request again is accepted with no new events, a different one is a
 * `conflicting_retry`, and a reservation already given back is never taken again. A release that
 * finds no reservation fences the order instead (seller-messages.ts' header).
 */
import { assertNever, reject, type Decider, type Decision, type Rejected } from '../decider.ts';
import { actorKinds } from '../keys.ts';
import { ownEntry } from '../own-entry.ts';
import { checkProductFields, checkRequestedLines, cleanPatch, catalogLimits, mergeLines, priceLines, sameLines } from './seller-catalog.ts';
import { evolve, initialState } from './seller-evolve.ts';
import type { Product, SellerCommand, SellerEvent, SellerRejection, SellerState } from './seller-messages.ts';

export { evolve, initialState } from './seller-evolve.ts';

export type SellerDecision = Decision<SellerEvent, SellerRejection>;
type SellerRejected = Rejected<SellerRejection>;
type CommandOf<Type extends SellerCommand['type']> = Extract<SellerCommand, { type: Type }>;

export function commandId(command: SellerCommand): string {
  switch (command.type) {
    case 'RegisterSeller':
    case 'SuspendSeller':
    case 'ReactivateSeller':
    case 'CreateProduct':
    case 'UpdateProduct':
    case 'DeleteProduct':
    case 'AddProductImage':
      return command.commandId;
    case 'ReserveStock':
      return `reserve:${command.orderId}`;
    case 'ReleaseStock':
      return `release-stock:${command.orderId}`;
    case 'RecordOrderOutcome':
      return `stat:${command.orderId}:${command.outcome}`;
    default:
      return assertNever(command);
  }
}

export function decide(state: SellerState, command: SellerCommand, now: number): SellerDecision {
  switch (command.type) {
    case 'RegisterSeller':
      if (state.registered) return reject('seller_already_registered', 'This seller is already registered.');
      return [{ type: 'SellerRegistered', name: command.name, email: command.email, at: now }];
    case 'SuspendSeller':
      // Suspending a suspended seller (or reactivating an active one) changes nothing: accepted, no events.
      return checkRegistered(state) ?? (state.lifecycleState === 'SUSPENDED' ? [] : [{ type: 'SellerSuspended', reason: command.reason, at: now }]);
    case 'ReactivateSeller':
      return checkRegistered(state) ?? (state.lifecycleState === 'ACTIVE' ? [] : [{ type: 'SellerReactivated', at: now }]);
    case 'CreateProduct':
      return decideCreate(state, command, now);
    case 'UpdateProduct':
      return decideUpdate(state, command, now);
    case 'DeleteProduct':
      return decideDelete(state, command, now);
    case 'AddProductImage':
      return decideAddImage(state, command, now);
    case 'ReserveStock':
      return decideReserve(state, command, now);
    case 'ReleaseStock':
      return decideRelease(state, command, now);
    case 'RecordOrderOutcome':
      // Legacy (seller-messages.ts): an order from before still sends it once; nothing to record.
      return [];
    default:
      return assertNever(command);
  }
}

function decideCreate(state: SellerState, command: CommandOf<'CreateProduct'>, now: number): SellerDecision {
  const { productId, fields } = command;
  const problem = checkRegistered(state) ?? checkActive(state, 'create products');
  if (problem) return problem;
  // A deleted product's id stays taken, so its history and old orders never point at another product.
  if (Object.hasOwn(state.products, productId)) return reject('product_exists', `Product ${productId} already exists.`);
  return checkProductFields(fields) ?? [{ type: 'ProductCreated', productId, fields, at: now }];
}

/** Updates and deletions stay open to a suspended seller, so they can correct or withdraw listings. */
function decideUpdate(state: SellerState, command: CommandOf<'UpdateProduct'>, now: number): SellerDecision {
  const found = findProduct(state, command.productId);
  if (!isProduct(found)) return found;
  const patch = cleanPatch(command.patch);
  if (Object.keys(patch).length === 0) return [];
  const { title, description, priceMinor, stock, category } = found;
  const problem = checkProductFields({ title, description, priceMinor, stock, category, ...patch });
  return problem ?? [{ type: 'ProductUpdated', productId: command.productId, patch, at: now }];
}

function decideDelete(state: SellerState, command: CommandOf<'DeleteProduct'>, now: number): SellerDecision {
  const product = ownEntry(state.products, command.productId);
  // Deleting a deleted product is what the caller wanted: accepted, no events.
  if (product?.deleted) return checkRegistered(state) ?? [];
  const found = findProduct(state, command.productId);
  if (!isProduct(found)) return found;
  return [{ type: 'ProductDeleted', productId: command.productId, at: now }];
}

function decideAddImage(state: SellerState, command: CommandOf<'AddProductImage'>, now: number): SellerDecision {
  const { productId, imageKey } = command;
  const found = findProduct(state, productId);
  if (!isProduct(found)) return found;
  if (found.images.includes(imageKey)) return [];
  if (imageKey.trim() === '' || imageKey.length > catalogLimits.imageKeyMaxChars) {
    return reject('invalid_product', `An image key must be 1 to ${catalogLimits.imageKeyMaxChars} characters, not blank.`);
  }
  if (found.images.length >= catalogLimits.imagesPerProductMax) {
    return reject('invalid_product', `A product may have at most ${catalogLimits.imagesPerProductMax} images.`);
  }
  return [{ type: 'ProductImageAdded', productId, imageKey, at: now }];
}

function decideReserve(state: SellerState, command: CommandOf<'ReserveStock'>, now: number): SellerDecision {
  const { orderId } = command;
  const lines = mergeLines(command.items);
  // The repeat check comes first: after a reservation the stock (or the seller's state) may no
  // longer allow it, and a retry must still be told "done".
  const existing = ownEntry(state.reservations, orderId);
  if (existing) {
    if (sameLines(existing.items, lines)) return [];
    return reject('conflicting_retry', `Order ${orderId} already reserved other items.`);
  }
  if (Object.hasOwn(state.fencedOrders, orderId)) {
    return reject('order_closed', `Order ${orderId}'s stock was given back before it was reserved, so the order is closed here.`);
  }
  const problem = checkRegistered(state) ?? checkActive(state, 'take orders') ?? checkRequestedLines(command.items);
  if (problem) return problem;
  const priced = priceLines((productId) => ownEntry(state.products, productId), lines);
  if (!Array.isArray(priced)) return priced;
  return [{ type: 'StockReserved', orderId, items: priced, at: now }];
}

/**
 * Allowed while suspended (or unregistered): giving stock back is a compensation, and
 * compensations must not fail. With no reservation to give back, it fences the order, so that a
 * late ReserveStock of it cannot hold stock for an order that has already failed.
 */
function decideRelease(state: SellerState, command: CommandOf<'ReleaseStock'>, now: number): SellerDecision {
  const { orderId } = command;
  const reservation = ownEntry(state.reservations, orderId);
  if (!reservation) return Object.hasOwn(state.fencedOrders, orderId) ? [] : [{ type: 'ReservationFenced', orderId }];
  if (reservation.status === 'RELEASED') return [];
  return [{ type: 'StockReleased', orderId, items: reservation.items, at: now }];
}

// ---------------------------------------------------------------------------------------------
// Checks: each returns a rejection, or undefined when the fact holds.

function checkRegistered(state: SellerState): SellerRejected | undefined {
  return state.registered ? undefined : reject('seller_not_registered', 'This seller is not registered.');
}

function checkActive(state: SellerState, what: string): SellerRejected | undefined {
  return state.lifecycleState === 'ACTIVE' ? undefined : reject('seller_suspended', `A suspended seller cannot ${what}.`);
}

/** A product that exists and is not deleted, for catalog edits by a registered seller. */
function findProduct(state: SellerState, productId: string): Product | SellerRejected {
  const problem = checkRegistered(state);
  if (problem) return problem;
  const product = ownEntry(state.products, productId);
  if (!product || product.deleted) return reject('product_not_found', `Product ${productId} is not in this seller's catalog.`);
  return product;
}

function isProduct(found: Product | SellerRejected): found is Product {
  return !('rejected' in found);
}

export const sellerDecider: Decider<SellerState, SellerCommand, SellerEvent, SellerRejection> = {
  kind: actorKinds.seller,
  /** 2: fencedOrders; 3: no stats, no placedAtMs. An older snapshot is replayed instead. */
  stateVersion: 3,
  initialState,
  decide,
  evolve,
  commandId,
};
