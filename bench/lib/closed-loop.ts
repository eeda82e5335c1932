/**
 * A closed-loop load driver for the checkout benchmarks: `concurrency` clients each send one
 * checkout, wait for its outcome, and send the next, until the cell's time is up; then the
 * checkouts still in flight finish (they count, like journal.bench's drain). Closed loop keeps
 * the offered load equal for both designs: whichever is faster simply gets more checkouts done.
 *
 * Latency is from the call to its outcome (start → every order PAID, or the SQL commit), pool
 * and mailbox queueing included. Only successful checkouts give latency samples; every other
 * outcome is counted by its code.
 */
import { performance } from 'node:perf_hooks';
import type { Cart } from './checkout-workload.ts';
import { roundSummary, summarize, type Summary } from './stats.ts';

export type CheckoutOutcome =
  | { readonly ok: true; /** Transactions it took (SQL retries after a deadlock or serialization failure). */ readonly attempts: number }
  | { readonly ok: false; readonly code: string };

export interface LoopResult {
  readonly concurrency: number;
  readonly checkouts: number;
  /** Orders paid: one per seller of each successful cart. */
  readonly orders: number;
  readonly twoSellerCheckouts: number;
  readonly failures: Readonly<Record<string, number>>;
  /** Transactions retried (SQL only; the actor system retries inside its sagas). */
  readonly retries: number;
  readonly elapsedMs: number;
  readonly checkoutsPerSec: number;
  readonly ordersPerSec: number;
  readonly latencyMs: Summary;
}

export interface LoopOptions {
  readonly concurrency: number;
  readonly durationMs: number;
  readonly nextCart: () => Cart;
  /** Sends checkout number `index` (unique within the cell) and resolves with its outcome. */
  readonly send: (cart: Cart, index: number) => Promise<CheckoutOutcome>;
  /** Called for every successful cart, for the caller's own bookkeeping (stock sold). */
  readonly onSuccess?: (cart: Cart) => void;
}

export async function runClosedLoop(options: LoopOptions): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  const failures: Record<string, number> = {};
  let orders = 0;
  let twoSellerCheckouts = 0;
  let retries = 0;
  let next = 0;
  const startedAt = performance.now();
  const deadline = startedAt + options.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const index = next;
      next += 1;
      const cart = options.nextCart();
      const sentAt = performance.now();
      const outcome = await options.send(cart, index);
      if (!outcome.ok) {
        failures[outcome.code] = (failures[outcome.code] ?? 0) + 1;
        continue;
      }
      latenciesMs.push(performance.now() - sentAt);
      orders += cart.sellerCount;
      if (cart.sellerCount > 1) twoSellerCheckouts += 1;
      retries += outcome.attempts - 1;
      options.onSuccess?.(cart);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const elapsedMs = performance.now() - startedAt;
  return {
    concurrency: options.concurrency,
    checkouts: latenciesMs.length,
    orders,
    twoSellerCheckouts,
    failures,
    retries,
    elapsedMs: Math.round(elapsedMs),
    checkoutsPerSec: Math.round((latenciesMs.length / elapsedMs) * 1_000),
    ordersPerSec: Math.round((orders / elapsedMs) * 1_000),
    latencyMs: roundSummary(summarize(latenciesMs)),
  };
}

/** Units sold per `${sellerId}/${productId}`, to compare with the stock the store reports. */
export class SoldTally {
  private readonly sold = new Map<string, number>();

  add(cart: Cart): void {
    for (const line of cart.lines) {
      const key = `${line.sellerId}/${line.productId}`;
      this.sold.set(key, (this.sold.get(key) ?? 0) + line.qty);
    }
  }

  of(sellerId: string, productId: string): number {
    return this.sold.get(`${sellerId}/${productId}`) ?? 0;
  }
}
