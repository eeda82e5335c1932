/**
 * Creates a product once per client command id (`POST /api/products`), even when the reply store
 * no longer holds the first answer: the process stopped between the create and the save, or the
 * save failed. The store (gateway/idempotency.ts) is then no guard, so the seller actor is.
 *
 * Its CreateProduct command id is derived from the client's, and the actor answers an id it has
 * journaled with the first result (its journal is unique on (key, commandId), DESIGN.md §2). A
 * retry therefore gets the first `ProductCreated` back: its product id is the answer, and the
 * fresh id this request minted is never used. The actor key is the seller's, so one seller's
 * command id never meets another's.
 */
import type { ProductFields, SellerEvent } from '../../actors/seller/seller-messages.ts';
import type { GatewayContext } from '../context.ts';
import { orThrow } from '../errors.ts';
import { ApiError } from '../http.ts';

/**
 * The seller actor's command id for a client's create. Its own prefix: the seed and older
 * journals use `create:<productId>`, and a client id that happened to equal one of those product
 * ids must not be taken for a retry of that product's creation.
 */
export function createProductCommandId(clientCommandId: string): string {
  return `create-product:${clientCommandId}`;
}

function sameFields(left: ProductFields, right: ProductFields): boolean {
  return (
    left.title === right.title &&
    left.description === right.description &&
    left.priceMinor === right.priceMinor &&
    left.stock === right.stock &&
    left.category === right.category
  );
}

/** The id of the product this command created: now, or by its first attempt. */
export async function createOnce(context: GatewayContext, sellerId: string, clientCommandId: string, fields: ProductFields): Promise<string> {
  const productId = context.ids.next();
  const commandId = createProductCommandId(clientCommandId);
  const result = orThrow(await context.commands.sellers.ask(sellerId, { type: 'CreateProduct', commandId, productId, fields }));
  if (!result.duplicate) return productId;
  const original = result.events.find((event): event is Extract<SellerEvent, { type: 'ProductCreated' }> => event.type === 'ProductCreated');
  if (original === undefined) throw new Error(`${commandId} of seller ${sellerId} was journaled without ProductCreated`);
  // The same id with other fields: the store would have said so, had it kept the first answer.
  if (!sameFields(original.fields, fields)) {
    throw new ApiError(409, 'conflicting_retry', `command ${clientCommandId} was already used for another product`);
  }
  return original.productId;
}
