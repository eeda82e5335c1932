/**
 * Search over 100k products on the embedded index (MiniSearch): build time, heap growth and
 * query latency (p50/p95/p99) for a mix of typo'd text queries with filters, facets, sort and
 * paging, as the gateway issues them. Writes bench/results/search.json.
 *
 *   npx tsx bench/search.bench.ts            (SEARCH_PRODUCTS=100000, SEARCH_QUERIES=2000)
 */
import { MiniSearchIndex } from '../persistence/adapters/search/minisearch-index.ts';
import type { ProductDoc, SearchQuery } from '../persistence/adapters/search/search-index.ts';
import { SeededRandom } from '../actors/testing/seeded-random.ts';
import { runInfo } from './lib/machine.ts';
import { integerFromEnv } from './lib/options.ts';
import { writeResult } from './lib/results.ts';
import { distributionOf, round } from './lib/stats.ts';
import { printTable } from './lib/table.ts';

const productCount = integerFromEnv('SEARCH_PRODUCTS', 100_000);
const queryCount = integerFromEnv('SEARCH_QUERIES', 2_000);
const nouns = ['iphone', 'pixel', 'galaxy', 'headphones', 'speaker', 'laptop', 'keyboard', 'mouse', 'lamp', 'vase', 'skillet', 'kettle', 'notebook', 'backpack', 'stove', 'tent', 'puzzle', 'train', 'console', 'controller'];
const adjectives = ['wireless', 'compact', 'premium', 'classic', 'pro', 'mini', 'deluxe', 'sturdy', 'elegant', 'smart'];
const categories = ['phones', 'audio', 'laptops', 'home', 'kitchen', 'books', 'outdoor', 'sports', 'toys', 'games'];
const typos: Readonly<Record<string, string>> = { iphone: 'iphne', headphones: 'headphons', keyboard: 'keybaord', backpack: 'backpak', controller: 'controler', speaker: 'speakr' };

function product(random: SeededRandom, index: number): ProductDoc {
  const noun = nouns[random.int(0, nouns.length - 1)] ?? 'thing';
  const adjective = adjectives[random.int(0, adjectives.length - 1)] ?? 'good';
  return {
    id: `p${index}`,
    sellerId: `s${random.int(1, 500)}`,
    sellerName: `Seller ${index % 500}`,
    title: `${adjective} ${noun} ${index % 97}`,
    description: `A ${adjective} ${noun} for everyday use, model ${index}.`,
    category: categories[random.int(0, categories.length - 1)] ?? 'misc',
    priceMinor: random.int(100, 200_000),
    stock: random.int(0, 100),
    imageUrl: null,
    createdAt: 1_700_000_000_000 + index,
  };
}

function query(random: SeededRandom): SearchQuery {
  const noun = nouns[random.int(0, nouns.length - 1)] ?? 'lamp';
  const text = typos[noun] !== undefined && random.int(0, 1) === 0 ? typos[noun] : noun;
  const shape = random.int(0, 3);
  return {
    q: shape === 3 ? '' : text,
    page: random.int(1, 3),
    pageSize: 20,
    ...(shape >= 1 ? { minPriceMinor: 1_000, maxPriceMinor: random.int(20_000, 150_000) } : {}),
    ...(shape >= 2 ? { category: categories[random.int(0, categories.length - 1)] ?? 'home' } : {}),
    sort: (['relevance', 'price_asc', 'price_desc', 'newest'] as const)[random.int(0, 3)] ?? 'relevance',
  };
}

async function main(): Promise<void> {
  const run = runInfo();
  const random = new SeededRandom(42);
  const index = new MiniSearchIndex();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const buildStarted = performance.now();
  for (let start = 0; start < productCount; start += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, productCount - start) }, (_unused, offset) => product(random, start + offset));
    await index.upsert(batch);
  }
  const buildMs = performance.now() - buildStarted;
  global.gc?.();
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  for (let warm = 0; warm < 100; warm += 1) await index.search(query(random));
  const latencies: number[] = [];
  let hits = 0;
  for (let count = 0; count < queryCount; count += 1) {
    const started = performance.now();
    const result = await index.search(query(random));
    latencies.push(performance.now() - started);
    hits += result.total > 0 ? 1 : 0;
  }
  const distribution = distributionOf(latencies);
  const summary = { p50: distribution.percentile(0.5), p95: distribution.percentile(0.95), p99: distribution.percentile(0.99), max: distribution.max, mean: distribution.mean };
  const result = {
    ok: true,
    run,
    engine: 'minisearch (embedded)',
    products: productCount,
    queries: queryCount,
    buildMs: round(buildMs),
    heapGrowthMb: round(heapGrowthMb),
    latencyMs: { p50: round(summary.p50), p95: round(summary.p95), p99: round(summary.p99), max: round(summary.max), mean: round(summary.mean) },
    queriesWithHits: hits,
  };
  printTable(`search over ${productCount} products`, ['build s', 'heap +MB', 'p50 ms', 'p95 ms', 'p99 ms', 'queries with hits'], [
    [round(buildMs / 1000), round(heapGrowthMb), round(summary.p50), round(summary.p95), round(summary.p99), `${hits}/${queryCount}`],
  ]);
  console.log(`wrote ${await writeResult('search', result)}`);
}

await main();
