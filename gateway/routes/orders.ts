/**
 * Checkout and orders. Reads come from the read models; commands go to the order actor, which
 * decides who may do what (`forbidden` for the wrong role, `not_your_order` for someone else's
 * order), so the gateway never duplicates those rules. Reads of another user's order answer 404,
 * so they do not reveal that it exists.
 */
import * as v from 'valibot';
import type { Actor, CancelReason } from '../../actors/order/order-messages.ts';
import type { CheckoutDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import { failureError, orThrow } from '../errors.ts';
import type { ApiRequest, Principal, Route } from '../http.ts';
import { ApiError, json, ok } from '../http.ts';
import { idSchema, pageQuery, parseBody, parseParams, parseQuery } from '../validate.ts';

const maxCartLines = 50;

const checkoutBody = v.object({
  checkoutId: idSchema,
  items: v.pipe(
    v.array(v.object({ productId: idSchema, qty: v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1), v.maxValue(1_000)) })),
    v.minLength(1, 'the cart is empty'),
    v.maxLength(maxCartLines, `at most ${maxCartLines} lines`),
  ),
});
const orderParams = v.object({ id: idSchema });
const optionalCommand = v.object({ commandId: v.optional(idSchema) });
const statusSchema = v.picklist(['PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'DISPUTED', 'FAILED']);

function principalOf(request: ApiRequest): Principal {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal;
}

function actorOf(principal: Principal): Actor {
  return { role: principal.role, userId: principal.userId };
}

/** Bodies of order actions are optional; an empty body is `{}`. */
function bodyOrEmpty<Schema extends v.GenericSchema<unknown, unknown>>(request: ApiRequest, schema: Schema): v.InferOutput<Schema> {
  return request.body.length === 0 ? v.parse(schema, {}) : parseBody(request, schema);
}

async function runCheckout(request: ApiRequest, context: GatewayContext): Promise<CheckoutDto> {
  const buyer = principalOf(request);
  const body = parseBody(request, checkoutBody);
  const sellers = await context.queries.products.sellersOf(body.items.map((item) => item.productId));
  const lines = body.items.map((item) => {
    const sellerId = sellers.get(item.productId);
    if (sellerId === undefined) throw new ApiError(404, 'product_not_found', `no product ${item.productId}`);
    if (sellerId === buyer.userId) throw new ApiError(409, 'own_product', 'you cannot buy your own product');
    return { sellerId, productId: item.productId, qty: item.qty };
  });
  // Checkout ids are the client's; scoping them by buyer keeps one buyer from addressing another's.
  const checkoutId = `${buyer.userId}_${body.checkoutId}`;
  const result = await context.commands.checkout({ checkoutId, buyerId: buyer.userId, lines });
  if (!result.ok) throw failureError(result);
  return { checkoutId: body.checkoutId, orderIds: result.orderIds };
}

type OrderAction = (principal: Principal, commandId: string, request: ApiRequest) => Record<string, unknown>;

function orderCommandRoute(path: string, summary: string, access: Route<GatewayContext>['access'], build: OrderAction): Route<GatewayContext> {
  return {
    method: 'POST',
    pattern: `/api/orders/:id/${path}`,
    access,
    tag: 'orders',
    summary,
    handler: async (request, context) => {
      const principal = principalOf(request);
      const { id } = parseParams(request, orderParams);
      const commandId = `${path}:${principal.userId}:${bodyOrEmpty(request, v.looseObject(optionalCommand.entries)).commandId ?? context.ids.next()}`;
      const result = orThrow(await context.commands.orders.ask(id, build(principal, commandId, request) as never));
      const state = result.state as { readonly status?: string };
      return ok({ orderId: id, status: state.status ?? null });
    },
  };
}

const cancelReasonByRole: Record<Principal['role'], CancelReason> = { SELLER: 'seller_cancelled', ADMIN: 'admin_cancelled', BUYER: 'buyer_cancelled' };

export const orderRoutes: Route<GatewayContext>[] = [
  {
    method: 'POST',
    pattern: '/api/checkout',
    access: ['BUYER'],
    tag: 'orders',
    summary: 'Check out a cart: one order per seller, all or nothing; idempotent by checkoutId.',
    handler: async (request, context) => json(201, await runCheckout(request, context)),
  },
  {
    method: 'GET',
    pattern: '/api/orders',
    access: 'user',
    tag: 'orders',
    summary: 'My orders (as buyer or seller; every order for an admin), newest first.',
    handler: async (request, context) => {
      const principal = principalOf(request);
      const query = parseQuery(request, v.object({ ...pageQuery, status: v.optional(statusSchema) }));
      const userId = principal.role === 'ADMIN' ? null : principal.userId;
      return ok(await context.queries.orders.list({ side: 'any', userId, status: query.status, page: query.page, pageSize: query.pageSize }));
    },
  },
  {
    method: 'GET',
    pattern: '/api/orders/:id',
    access: 'user',
    tag: 'orders',
    summary: 'One of my orders with its items and status timeline.',
    handler: async (request, context) => {
      const principal = principalOf(request);
      const { id } = parseParams(request, orderParams);
      const order = await context.queries.orders.find(id);
      const mine = order !== null && (principal.role === 'ADMIN' || order.buyerId === principal.userId || order.sellerId === principal.userId);
      if (!mine) throw new ApiError(404, 'unknown_order', `no order ${id}`);
      return ok(order);
    },
  },
  orderCommandRoute('ship', 'Seller ships a paid order; escrow release is scheduled.', ['SELLER'], (principal, commandId) => ({
    type: 'ShipOrder',
    commandId,
    by: actorOf(principal),
  })),
  orderCommandRoute('confirm-delivery', 'Buyer confirms delivery; funds are released to the seller.', ['BUYER'], (principal, commandId) => ({
    type: 'ConfirmDelivery',
    commandId,
    by: actorOf(principal),
  })),
  orderCommandRoute('cancel', 'Buyer or seller cancels a paid order that has not shipped (an admin also a shipped one); the buyer is refunded.', ['BUYER', 'SELLER', 'ADMIN'], (principal, commandId) => ({
    type: 'CancelOrder',
    commandId,
    by: actorOf(principal),
    reason: cancelReasonByRole[principal.role],
  })),
  orderCommandRoute('dispute', 'Buyer disputes a shipped or delivered order (409 not_shipped before: cancel instead); funds stay frozen until resolved.', ['BUYER'], (principal, commandId, request) => ({
    type: 'OpenDispute',
    commandId,
    by: actorOf(principal),
    reason: parseBody(request, v.object({ reason: v.pipe(v.string(), v.trim(), v.minLength(1, 'say why'), v.maxLength(500)), commandId: v.optional(idSchema) })).reason,
  })),
  orderCommandRoute('resolve', 'Admin resolves a dispute: refund the buyer or release to the seller.', ['ADMIN'], (principal, commandId, request) => ({
    type: 'ResolveDispute',
    commandId,
    by: actorOf(principal),
    resolution: parseBody(request, v.object({ resolution: v.picklist(['refund', 'release']), commandId: v.optional(idSchema) })).resolution,
  })),
];
