/**
 * The checkout workload both checkout benchmarks drive (bench/checkout.bench.ts through the actor
 * system, bench/baseline/sql-checkout.ts as one SQL transaction per checkout): one catalog, one
 * set of funded buyers, and carts drawn from a seeded generator, so both designs see exactly the
 * same carts in the same order for a given scenario and concurrency.
 *
 * Stock and money are far more than a run can use, so every checkout should succeed: the
 * benchmark measures the happy path, and a refusal is a finding, not noise.
 */
import { seededRandom } from '../../actors/testing/seeded-random.ts';

export interface CatalogProduct {
  readonly sellerId: string;
  readonly productId: string;
  readonly priceMinor: number;
  readonly stock: number;
}

export interface Catalog {
  readonly sellerIds: readonly string[];
  readonly products: readonly CatalogProduct[];
  readonly productsBySeller: ReadonlyMap<string, readonly CatalogProduct[]>;
  readonly buyerIds: readonly string[];
  /** What each buyer deposits before the run. */
  readonly fundingMinor: number;
}

export interface CatalogSize {
  readonly sellers: number;
  readonly productsPerSeller: number;
  readonly buyers: number;
}

/** Stock per product: no run comes near it (a full run sells a few thousand items per product at most). */
const stockPerProduct = 10_000_000;
/** Each buyer's deposit, $1M: a buyer's share of a run's spending is a few hundred dollars. */
const fundingMinor = 100_000_000;

export function buildCatalog(size: CatalogSize): Catalog {
  const random = seededRandom(20_251_124);
  const sellerIds = Array.from({ length: size.sellers }, (_, index) => `seller${String(index + 1).padStart(2, '0')}`);
  const productsBySeller = new Map<string, CatalogProduct[]>();
  for (const sellerId of sellerIds) {
    productsBySeller.set(
      sellerId,
      Array.from({ length: size.productsPerSeller }, (_, index) => ({
        sellerId,
        productId: `p${index + 1}`,
        // $5.00 to $49.99, whole cents.
        priceMinor: 500 + Math.floor(random() * 4_500),
        stock: stockPerProduct,
      })),
    );
  }
  return {
    sellerIds,
    products: [...productsBySeller.values()].flat(),
    productsBySeller,
    buyerIds: Array.from({ length: size.buyers }, (_, index) => `buyer${String(index + 1).padStart(4, '0')}`),
    fundingMinor,
  };
}

export interface CartLine {
  readonly sellerId: string;
  readonly productId: string;
  readonly qty: number;
}

export interface Cart {
  readonly buyerId: string;
  readonly lines: readonly CartLine[];
  /** Sellers in the cart: one order each. */
  readonly sellerCount: number;
}

export type ScenarioName = 'mixed' | 'hot-seller';

export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** Share of carts that span two sellers (two orders, all or nothing). */
  readonly twoSellerShare: number;
  /** Share of carts that include the hot seller's products; null spreads carts evenly. */
  readonly hotSellerShare: number | null;
}

export const scenarios: Readonly<Record<ScenarioName, Scenario>> = {
  mixed: {
    name: 'mixed',
    description: 'sellers picked uniformly; 80% single-seller carts, 20% two-seller carts',
    twoSellerShare: 0.2,
    hotSellerShare: null,
  },
  'hot-seller': {
    name: 'hot-seller',
    description: "80% of carts include seller01's products; 20% two-seller carts",
    twoSellerShare: 0.2,
    hotSellerShare: 0.8,
  },
};

/** A deterministic seed per (scenario, concurrency, purpose), so both designs draw the same carts. */
export function cartSeed(scenario: ScenarioName, concurrency: number, purpose: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${scenario}/${concurrency}/${purpose}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** An endless, seeded sequence of carts for one scenario. */
export function cartGenerator(catalog: Catalog, scenario: Scenario, seed: number): () => Cart {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('picked from an empty list');
    return item;
  };
  const [hotSellerId, ...otherSellerIds] = catalog.sellerIds;
  if (hotSellerId === undefined || otherSellerIds.length === 0) throw new Error('the workload needs at least two sellers');
  const linesOf = (sellerId: string, lineCount: number): CartLine[] => {
    const products = catalog.productsBySeller.get(sellerId) ?? [];
    const chosen = new Set<CatalogProduct>();
    while (chosen.size < Math.min(lineCount, products.length)) chosen.add(pick(products));
    return [...chosen].map((product) => ({ sellerId, productId: product.productId, qty: 1 + Math.floor(random() * 3) }));
  };
  return () => {
    const buyerId = pick(catalog.buyerIds);
    const twoSellers = random() < scenario.twoSellerShare;
    const hot = scenario.hotSellerShare !== null && random() < scenario.hotSellerShare;
    const pool = scenario.hotSellerShare === null ? catalog.sellerIds : otherSellerIds;
    const first = hot ? hotSellerId : pick(pool);
    let second = first;
    while (twoSellers && second === first) second = pick(pool);
    const lines = twoSellers
      ? [...linesOf(first, 1 + Math.floor(random() * 2)), ...linesOf(second, 1 + Math.floor(random() * 2))]
      : linesOf(first, 1 + Math.floor(random() * 3));
    return { buyerId, lines, sellerCount: twoSellers ? 2 : 1 };
  };
}
