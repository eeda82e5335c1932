/**
 * The saga crash test's marketplace and workload (saga-worker.ts plays it): sellers, products,
 * funded buyers, and each cycle's flows, generated from (seed, cycle) alone. Each bound is what
 * one run costs in time.
 */
import type { CartLine } from '../../../actors/checkout/checkout-messages.ts';
import type { Actor } from '../../../actors/order/order-messages.ts';
import { seededRandom } from '../../../actors/testing/seeded-random.ts';
import { walletKey } from '../../../actors/keys.ts';
import type { World } from './saga-ledger.ts';

export const workload = {
  sellers: 5,
  productsPerSeller: 3,
  /** Stock of each seller's first product: scarce, so that later carts fail on it. */
  scarceStock: 6,
  plentifulStock: 500,
  buyers: 12,
  /** Every third buyer is poor: its multi-seller carts often fail part-way and are compensated. */
  richFundsMinor: 60_000,
  poorFundsMinor: 4_000,
  flowsPerCycle: 24,
  /** Flows in flight at once. Few enough that, on a busy machine, checkouts still complete (and
   *  their orders ship and are released) within a run, rather than all crawling together. */
  concurrency: 5,
  checkoutTimeoutMs: 15_000,
  actionTimeoutMs: 10_000,
  /** Attempts of a person's action when the runtime answers with a transient failure or "not yet". */
  actionAttemptsMax: 5,
  /** Pause before each action of a flow (a person is not instant): up to this long. */
  actionPauseMaxMs: 700,
  /** How long `finish` waits for every saga to finish before it reports what is left. Sagas
   *  usually finish within 5–20 s; the rest of the bound is for a machine shared with other tests. */
  finishDeadlineMs: 40_000,
  finishPollMs: 700,
} as const;

export const admin: Actor = { role: 'ADMIN', userId: 'admin' };
/** The order's answer while its checkout has not confirmed it yet: a person tries again later. */
export const notYet = 'awaiting_checkout';

interface Product {
  readonly productId: string;
  readonly priceMinor: number;
  readonly stock: number;
}

export function sellerIds(): string[] {
  return Array.from({ length: workload.sellers }, (_, index) => `s${index + 1}`);
}

export function productsOf(sellerId: string): Product[] {
  const sellerNumber = Number(sellerId.slice(1));
  return Array.from({ length: workload.productsPerSeller }, (_, index) => ({
    productId: `${sellerId}-p${index + 1}`,
    priceMinor: 450 + 310 * ((sellerNumber * 3 + index) % 7),
    stock: index === 0 ? workload.scarceStock : workload.plentifulStock,
  }));
}

export function buyers(): { buyerId: string; fundsMinor: number }[] {
  return Array.from({ length: workload.buyers }, (_, index) => ({
    buyerId: `b${String(index + 1).padStart(2, '0')}`,
    fundsMinor: index % 3 === 0 ? workload.poorFundsMinor : workload.richFundsMinor,
  }));
}

/** What the people do with one order of a successful checkout. */
export type Plan =
  | 'confirm' // ship, then the buyer confirms: release
  | 'auto-release' // ship, then nobody: the release timer fires
  | 'expire' // nobody ships: the ship-by timer cancels and refunds
  | 'seller-cancel' // the seller cancels before shipping: refund
  | 'admin-cancel' // ship, then an admin cancels: refund, stock not returned
  | 'dispute-refund' // (maybe ship,) dispute, the admin refunds
  | 'dispute-release' // (maybe ship,) dispute, the admin releases
  | 'dispute-owed'; // (maybe ship,) dispute and walk away: a later run's admin resolves it

const plans: readonly [Plan, number][] = [
  ['confirm', 0.24],
  ['auto-release', 0.18],
  ['expire', 0.1],
  ['seller-cancel', 0.12],
  ['admin-cancel', 0.06],
  ['dispute-refund', 0.1],
  ['dispute-release', 0.1],
  ['dispute-owed', 0.1],
];

export interface Flow {
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly lines: readonly CartLine[];
  /** One per seller of the cart, in the order the checkout plans its orders (sellers sorted). */
  readonly plans: readonly { readonly plan: Plan; readonly shipFirst: boolean }[];
  /** A deposit the buyer makes just before checking out, racing other debits of its wallet. */
  readonly topUpMinor: number | null;
}

/** The flows of one cycle, from (seed, cycle) alone. */
export function flowsOf(seed: number, cycle: number): Flow[] {
  const random = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(cycle + 1, 0x85ebca6b)) >>> 0);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const allBuyers = buyers();
  return Array.from({ length: workload.flowsPerCycle }, (_, index) => {
    const sellers = shuffled(sellerIds(), random).slice(0, int(1, 3)).sort();
    const lines = sellers.flatMap((sellerId) =>
      productsOf(sellerId)
        .filter((_, productIndex) => random() < (productIndex === 0 ? 0.35 : 0.45))
        .map((product) => ({ sellerId, productId: product.productId, qty: int(1, 3) }))
        .slice(0, 2),
    );
    // A seller none of whose products was drawn still gets one line, so every seller has an order.
    for (const sellerId of sellers) {
      if (!lines.some((line) => line.sellerId === sellerId)) lines.push({ sellerId, productId: `${sellerId}-p2`, qty: 1 });
    }
    return {
      checkoutId: `c${cycle}-${index}`,
      buyerId: pick(allBuyers).buyerId,
      lines,
      plans: sellers.map(() => ({ plan: pickPlan(random()), shipFirst: random() < 0.5 })),
      topUpMinor: random() < 0.15 ? int(1_000, 8_000) : null,
    };
  });
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

function pickPlan(roll: number): Plan {
  let total = 0;
  for (const [plan, weight] of plans) {
    total += weight;
    if (roll < total) return plan;
  }
  return 'confirm';
}

/** Whether every seller, product and buyer's funding of the set-up is in the journal. */
export function isSetUp(world: World): boolean {
  const sellersReady = sellerIds().every((sellerId) => {
    const seller = world.sellers.get(sellerId);
    return seller?.registered === true && productsOf(sellerId).every(({ productId }) => Object.hasOwn(seller.products, productId));
  });
  return sellersReady && buyers().every(({ buyerId }) => world.entries.get(walletKey(buyerId))?.some((entry) => entry.commandId === 'fund') === true);
}

// ---------------------------------------------------------------------------------------------
// Reporting
