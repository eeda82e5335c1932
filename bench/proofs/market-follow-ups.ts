/**
 * The people's follow-ups on an order in the market simulation (market-simulation.ts): which
 * one a person takes at each status, drawn from the run's dice, and the order command it sends.
 */
import type { OrderCommand, OrderState } from '../../actors/order/order-messages.ts';
import type { SeededRandom } from '../../actors/testing/seeded-random.ts';

export type FollowUp = 'ship' | 'confirm' | 'seller-cancel' | 'admin-cancel' | 'dispute' | 'resolve-refund' | 'resolve-release';

/** A person's next step on an order at `status`, or null to leave it for now. */
export function drawFollowUp(dice: SeededRandom, status: OrderState['status']): FollowUp | null {
  const roll = dice.next();
  switch (status) {
    case 'PAID':
      return roll < 0.35 ? 'ship' : roll < 0.41 ? 'seller-cancel' : roll < 0.46 ? 'dispute' : roll < 0.48 ? 'admin-cancel' : null;
    case 'SHIPPED':
      return roll < 0.3 ? 'confirm' : roll < 0.37 ? 'dispute' : roll < 0.39 ? 'admin-cancel' : null;
    case 'DISPUTED':
      return roll < 0.2 ? 'resolve-refund' : roll < 0.4 ? 'resolve-release' : null;
    default:
      return null;
  }
}

export function followUpCommand(order: { readonly buyerId: string; readonly sellerId: string }, action: FollowUp, commandId: string): OrderCommand {
  const buyer = { role: 'BUYER', userId: order.buyerId } as const;
  const seller = { role: 'SELLER', userId: order.sellerId } as const;
  const admin = { role: 'ADMIN', userId: 'admin' } as const;
  switch (action) {
    case 'ship':
      return { type: 'ShipOrder', commandId, by: seller };
    case 'confirm':
      return { type: 'ConfirmDelivery', commandId, by: buyer };
    case 'seller-cancel':
      return { type: 'CancelOrder', commandId, by: seller, reason: 'seller_cancelled' };
    case 'admin-cancel':
      return { type: 'CancelOrder', commandId, by: admin, reason: 'admin_cancelled' };
    case 'dispute':
      return { type: 'OpenDispute', commandId, by: buyer, reason: 'not as described' };
    case 'resolve-refund':
      return { type: 'ResolveDispute', commandId, by: admin, resolution: 'refund' };
    case 'resolve-release':
      return { type: 'ResolveDispute', commandId, by: admin, resolution: 'release' };
    default: {
      const unknown: never = action;
      throw new Error(`unknown follow-up ${String(unknown)}`);
    }
  }
}
