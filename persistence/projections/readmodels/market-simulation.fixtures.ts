/**
 * The read-model fixtures' market (readmodels.fixtures.ts): a seeded simulation that plans the
 * entries the actors would journal, and keeps its own account of balances, locks and stock.
 */
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import type { SellerEvent } from '../../../actors/seller/seller-messages.ts';
import type { WalletEvent } from '../../../actors/wallet/wallet.ts';
import type { NewEntry } from '../../adapters/journal.ts';
import { orderKey, sellerKey, walletKey } from '../../../actors/keys.ts';

export const t0 = Date.UTC(2026, 0, 1);
export const dayMs = 86_400_000;
export const releaseAfterMs = 7 * dayMs;

export interface PlannedAppend {
  readonly key: string;
  readonly entry: NewEntry;
}

/** A small, fast, seedable PRNG (mulberry32), so a failing run reproduces from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Where an order's story ends in the simulation. */
export type OrderFate =
  | 'paid'
  | 'shipped'
  | 'completed_confirmed'
  | 'completed_auto'
  | 'stuck_after_debit'
  | 'stuck_releasing'
  | 'cancelled_unshipped'
  | 'cancelled_ship_by'
  | 'dispute_open'
  | 'dispute_refund'
  | 'dispute_release';

export interface ProductModel {
  readonly productId: string;
  title: string;
  priceMinor: number;
  stock: number;
  deleted: boolean;
}

export class Simulation {
  readonly appends: PlannedAppend[] = [];
  readonly random: () => number;
  readonly balances = new Map<string, number>();
  readonly locked = new Map<string, number>();
  readonly products = new Map<string, ProductModel[]>();
  readonly outcomes: Record<string, number> = {};
  deposits = 0n;
  withdrawals = 0n;
  inFlight = 0n;
  private nowMs = t0;
  private cashCount = 0;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  integer(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<Value>(values: readonly Value[]): Value {
    const value = values[Math.floor(this.random() * values.length)];
    if (value === undefined) throw new Error('pick from an empty list');
    return value;
  }

  /** Time moves on by up to a minute per entry, and by days when a story waits for people. */
  private tick(waitMs = 0): number {
    this.nowMs += waitMs + this.integer(1, 60_000);
    return this.nowMs;
  }

  private append(key: string, commandId: string, events: readonly unknown[], at: number): void {
    this.appends.push({ key, entry: { events, commandId, at } });
  }

  order(orderId: string, commandId: string, build: (at: number) => OrderEvent[], waitMs = 0): void {
    const at = this.tick(waitMs);
    this.append(orderKey(orderId), commandId, build(at), at);
  }

  seller(sellerId: string, commandId: string, build: (at: number) => SellerEvent[]): void {
    const at = this.tick();
    this.append(sellerKey(sellerId), commandId, build(at), at);
  }

  wallet(userId: string, commandId: string, event: WalletEvent): void {
    const at = this.tick();
    this.account(userId, event);
    this.append(walletKey(userId), commandId, [event], at);
  }

  /** The simulation's ledger, kept independently of the projections. */
  private account(userId: string, event: WalletEvent): void {
    const balance = this.balances.get(userId) ?? 0;
    const locked = this.locked.get(userId) ?? 0;
    const amount = BigInt(event.type === 'OrderFenced' ? 0 : event.amountMinor);
    const set = (nextBalance: number, nextLocked: number) => {
      if (nextBalance < 0 || nextLocked < 0) throw new Error(`simulation bug: ${userId} would go negative`);
      this.balances.set(userId, nextBalance);
      this.locked.set(userId, nextLocked);
    };
    switch (event.type) {
      case 'Deposited':
        this.deposits += amount;
        return set(balance + event.amountMinor, locked);
      case 'Withdrawn':
        this.withdrawals += amount;
        return set(balance - event.amountMinor, locked);
      case 'DebitedForOrder':
        this.inFlight += amount;
        return set(balance - event.amountMinor, locked);
      case 'OrderRefunded':
        this.inFlight -= amount;
        return set(balance + event.amountMinor, locked);
      case 'PendingCredited':
        this.inFlight -= amount;
        return set(balance, locked + event.amountMinor);
      case 'PendingReleased':
        this.inFlight += BigInt(event.feeMinor);
        return set(balance + event.amountMinor - event.feeMinor, locked - event.amountMinor);
      case 'PendingVoided':
        this.inFlight += amount;
        return set(balance, locked - event.amountMinor);
      case 'FeeCredited':
        this.inFlight -= amount;
        return set(balance + event.amountMinor, locked);
      case 'OrderFenced':
        return;
      default:
        throw new Error(`simulation bug: ${JSON.stringify(event satisfies never)}`);
    }
  }

  nextCashId(): string {
    this.cashCount += 1;
    return `cash-${this.cashCount}`;
  }

  count(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }
}
