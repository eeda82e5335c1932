/**
 * Checkout and orders. Reads come from the read models; commands go to the order actor, which
 * decides who may do what (`forbidden` for the wrong role, `not_your_order` for someone else's
 * order), so the gateway never duplicates those rules. Reads of another user's order answer 404,
 * so they do not reveal that it exists.
 */
import * as v from 'valibot';
import { cartLimits } from '../../actors/checkout/cart-limits.ts';
import type { Actor, CancelReason } from '../../actors/order/order-messages.ts';
import type { CheckoutDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import { failureError, orThrow } from '../errors.ts';
import type { ApiRequest, ApiResponse, Principal, Route } from '../http.ts';
import { replayable } from '../idempotency.ts';
import { scopedCheckoutId } from '../../persistence/projections/readmodels/order-queries.ts';
import { ApiError, json, ok } from '../http.ts';
import { idSchema, pageQuery, parseBody, parseParams, parseQuery } from '../validate.ts';
import { parseAddress } from './address-schema.ts';

/** How long a checkout request waits for its saga; a timeout answers 503 and the retry is safe. */
const checkoutWaitMs = 15_000;
const maxCartLines = cartLimits.linesMax;

const checkoutBody = v.object({
  checkoutId: idSchema,
  items: v.pipe(
    v.array(v.object({ productId: idSchema, qty: v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1), v.maxValue(cartLimits.qtyMax)) })),
    v.minLength(1, 'the cart is empty'),
    v.maxLength(maxCartLines, `at most ${maxCartLines} lines`),
  ),
  /** Where the orders go; checked by parseAddress (400 invalid_address). Optional for scripts and older clients. */
  shipTo: v.optional(v.unknown()),
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

/**
 * One checkout id on the wire: the client's. Inside, the saga's key is scoped by buyer so one
 * buyer can never address another's checkout; orders show the client's id (order-queries.ts).
 * A refused checkout's 409 names its orders (each one compensated and hidden from the lists).
 */
async function runCheckout(request: ApiRequest, context: GatewayContext): Promise<ApiResponse> {
  const buyer = principalOf(request);
  const body = parseBody(request, checkoutBody);
  const shipTo = body.shipTo === undefined ? {} : { shipTo: parseAddress(body.shipTo) };
  // A retry must name the same cart and address; without an address the replay key is what it always was.
  const asked = body.shipTo === undefined ? body.items : { items: body.items, ...shipTo };
  return replayable(context, { scope: `checkout:${buyer.userId}`, commandId: body.checkoutId, request: asked }, async () => {
    const sellers = await context.queries.products.sellersOf(body.items.map((item) => item.productId));
    const lines = body.items.map((item) => {
      const sellerId = sellers.get(item.productId);
      if (sellerId === undefined) throw new ApiError(404, 'product_not_found', `no product ${item.productId}`);
      if (sellerId === buyer.userId) throw new ApiError(409, 'own_product', 'you cannot buy your own product');
      return { sellerId, productId: item.productId, qty: item.qty };
    });
    const result = await context.commands.checkout({ checkoutId: scopedCheckoutId(buyer.userId, body.checkoutId), buyerId: buyer.userId, lines, ...shipTo });
    if (!result.ok && 'orderIds' in result) {
      const error = failureError(result);
      return json(error.status, { error: { code: result.code, message: result.message, checkoutId: body.checkoutId, orderIds: result.orderIds } });
    }
    if (!result.ok) throw failureError(result);
    const dto: CheckoutDto = { checkoutId: body.checkoutId, orderIds: result.orderIds };
    return json(201, dto);
  });
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
      const { commandId: clientId, ...asked } = bodyOrEmpty(request, v.looseObject(optionalCommand.entries));
      const commandId = `${path}:${principal.userId}:${clientId ?? context.ids.next()}`;
      const run = async () => {
        const result = orThrow(await context.commands.orders.ask(id, build(principal, commandId, request) as never));
        const state = result.state as { readonly status?: string };
        return ok({ orderId: id, status: state.status ?? null });
      };
      // Without a client id there is nothing a retry could name, so nothing to replay.
      if (clientId === undefined) return run();
      return replayable(context, { scope: `orders/${path}:${principal.userId}:${id}`, commandId: clientId, request: asked }, run);
    },
  };
}

const trackingText = (what: string, max: number) => v.pipe(v.string(), v.trim(), v.minLength(1, `give the ${what}`), v.maxLength(max), v.regex(/^[\p{L}\p{N} .&'\/-]+$/u, `the ${what} has characters we cannot print`));
const shipBody = v.object({ commandId: v.optional(idSchema), carrier: v.optional(trackingText('carrier', 40)), trackingNumber: v.optional(trackingText('tracking number', 60)) });

/** The optional tracking of a shipment: both fields or neither (issue #15 §4). */
function shipmentTracking(request: ApiRequest): { tracking?: { carrier: string; trackingNumber: string } } {
  const body = bodyOrEmpty(request, shipBody);
  if (body.carrier === undefined && body.trackingNumber === undefined) return {};
  if (body.carrier === undefined || body.trackingNumber === undefined) throw new ApiError(400, 'invalid_request', 'give both the carrier and the tracking number, or neither');
  return { tracking: { carrier: body.carrier, trackingNumber: body.trackingNumber } };
}

const cancelReasonByRole: Record<Principal['role'], CancelReason> = { SELLER: 'seller_cancelled', ADMIN: 'admin_cancelled', BUYER: 'buyer_cancelled' };

export const orderRoutes: Route<GatewayContext>[] = [
  {
    method: 'POST',
    pattern: '/api/checkout',
    access: ['BUYER'],
    tag: 'orders',
    summary: 'Check out a cart: one order per seller, all or nothing; idempotent by checkoutId.',
    handler: (request, context) => runCheckout(request, context),
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
      // A seller sees the order once its checkout confirmed it, as in the lists.
      const confirmed = order !== null && order.timeline.some((step) => step.status === 'CHECKOUT_CONFIRMED');
      const mine = order !== null && (principal.role === 'ADMIN' || order.buyerId === principal.userId || (order.sellerId === principal.userId && confirmed));
      if (!mine) throw new ApiError(404, 'unknown_order', `no order ${id}`);
      return ok(order);
    },
  },
  orderCommandRoute('ship', 'Seller ships a paid order, optionally with carrier and tracking number; escrow release is scheduled.', ['SELLER'], (principal, commandId, request) => ({
    type: 'ShipOrder',
    commandId,
    by: actorOf(principal),
    ...shipmentTracking(request),
  })),
  orderCommandRoute('confirm-delivery', 'Buyer confirms delivery; funds are released to the seller.', ['BUYER'], (principal, commandId) => ({
    type: 'ConfirmDelivery',
    commandId,
    by: actorOf(principal),
  })),
  orderCommandRoute('cancel', 'Buyer or seller cancels a paid order that has not shipped, once its checkout confirmed it (409 awaiting_checkout before); an admin also a shipped one; the buyer is refunded.', ['BUYER', 'SELLER', 'ADMIN'], (principal, commandId) => ({
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
