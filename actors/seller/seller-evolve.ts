/**
 * The seller actor's state and `evolve`: applies facts that `decide` (seller.ts) already judged.
 * A fact that breaks an invariant means a bug upstream, so it throws, naming the broken fact.
 */
import { assertNever } from '../decider.ts';
import { ownEntry } from '../own-entry.ts';
import { withEntry } from '../shared-record.ts';
import type { PricedItem, Product, Reservation, SellerEvent, SellerState } from './seller-messages.ts';

/** Frozen so that an accidental in-place update fails loudly instead of corrupting every seller. */
export const initialState: SellerState = Object.freeze({
  registered: false,
  name: '',
  email: '',
  lifecycleState: 'ACTIVE',
  products: Object.freeze({}),
  reservations: Object.freeze({}),
  fencedOrders: Object.freeze({}),
});

export function evolve(state: SellerState, event: SellerEvent): SellerState {
  switch (event.type) {
    case 'SellerRegistered':
      invariant(!state.registered, 'a seller registers once');
      return { ...state, registered: true, name: event.name, email: event.email };
    case 'SellerSuspended':
      return { ...state, lifecycleState: 'SUSPENDED' };
    case 'SellerReactivated':
      return { ...state, lifecycleState: 'ACTIVE' };
    case 'ProductCreated': {
      invariant(!Object.hasOwn(state.products, event.productId), `product ${event.productId} is created once`);
      const product: Product = {
        productId: event.productId,
        ...event.fields,
        images: [],
        deleted: false,
        createdAt: event.at,
        updatedAt: event.at,
      };
      return withProduct(state, product);
    }
    case 'ProductUpdated':
      return withProduct(state, { ...liveProduct(state, event.productId), ...event.patch, updatedAt: event.at });
    case 'ProductDeleted':
      return withProduct(state, { ...liveProduct(state, event.productId), deleted: true, updatedAt: event.at });
    case 'ProductImageAdded': {
      const product = liveProduct(state, event.productId);
      return withProduct(state, { ...product, images: [...product.images, event.imageKey], updatedAt: event.at });
    }
    case 'StockReserved':
      return applyReserved(state, event.orderId, event.items);
    case 'StockReleased':
      return applyReleased(state, event.orderId, event.items);
    case 'ReservationFenced':
      invariant(!Object.hasOwn(state.reservations, event.orderId), `order ${event.orderId} is fenced only if it never reserved here`);
      invariant(!Object.hasOwn(state.fencedOrders, event.orderId), `order ${event.orderId} is fenced once`);
      return { ...state, fencedOrders: withEntry(state.fencedOrders, event.orderId, true as const) };
    case 'OrderOutcomeRecorded':
      // Legacy: the seller's stats moved to the orders read model (seller-messages.ts).
      return state;
    default:
      return assertNever(event);
  }
}

function applyReserved(state: SellerState, orderId: string, items: readonly PricedItem[]): SellerState {
  invariant(!Object.hasOwn(state.reservations, orderId), `order ${orderId} reserves stock once`);
  invariant(!Object.hasOwn(state.fencedOrders, orderId), `fenced order ${orderId} never reserves stock`);
  const reservation: Reservation = { items, status: 'RESERVED' };
  const moved = moveStock(state, items, -1);
  return { ...moved, reservations: withEntry(state.reservations, orderId, reservation) };
}

function applyReleased(state: SellerState, orderId: string, items: readonly PricedItem[]): SellerState {
  const reservation = ownEntry(state.reservations, orderId);
  invariant(reservation !== undefined, `order ${orderId} releases a reservation it holds`);
  invariant(reservation.status === 'RESERVED', `order ${orderId}'s stock is released once`);
  const moved = moveStock(state, items, +1);
  return { ...moved, reservations: withEntry(state.reservations, orderId, { ...reservation, status: 'RELEASED' as const }) };
}

/** Takes (direction −1) or gives back (+1) each line's quantity; stock never goes below zero. */
function moveStock(state: SellerState, items: readonly PricedItem[], direction: 1 | -1): SellerState {
  let products = state.products;
  for (const item of items) {
    const product = ownEntry(products, item.productId);
    invariant(product !== undefined, `reserved product ${item.productId} exists`);
    const stock = product.stock + direction * item.qty;
    invariant(stock >= 0, `stock of ${item.productId} is never negative (${stock})`);
    invariant(Number.isSafeInteger(stock), `stock of ${item.productId} is a whole number (${stock})`);
    products = withEntry(products, item.productId, { ...product, stock });
  }
  return { ...state, products };
}

function liveProduct(state: SellerState, productId: string): Product {
  const product = ownEntry(state.products, productId);
  invariant(product !== undefined, `product ${productId} exists`);
  invariant(!product.deleted, `product ${productId} is not deleted`);
  return product;
}

function withProduct(state: SellerState, product: Product): SellerState {
  invariant(Number.isSafeInteger(product.stock) && product.stock >= 0, `stock of ${product.productId} is a whole number ≥ 0`);
  return { ...state, products: withEntry(state.products, product.productId, product) };
}

function invariant(condition: boolean, fact: string): asserts condition {
  if (!condition) throw new Error(`seller invariant broken: ${fact}`);
}
