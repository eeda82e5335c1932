/**
 * The three load scenarios' step plans: which offered rates each one walks through, how long
 * each step lasts, how many generators share the load, and the fresh accounts its run creates.
 * `BENCH_QUICK=1` shortens every step to ~3 s (a smoke run: the numbers show it works);
 * `LOAD_STEP_MS`, `LOAD_RATES` (comma-separated) and `LOAD_GENERATORS` override the plan.
 */
import { integerFromEnv, quick } from '../lib/options.ts';
import type { MarketShape } from './market.ts';
import type { ScenarioName } from './scenarios/scenario.ts';

export interface ScenarioPlan {
  readonly scenario: ScenarioName;
  /** What one arrival is, for tables and charts. */
  readonly unit: string;
  readonly description: string;
  readonly ratesPerSec: readonly number[];
  readonly stepMs: number;
  /** Generator processes; each offers rate / generators, interleaved by phase. */
  readonly generators: number;
  /** Arrivals one generator may have running at once (k6's maxVUs); more are dropped. */
  readonly maxInFlightPerGenerator: number;
  readonly market: Omit<MarketShape, 'runId'>;
}

/** Funding per fresh buyer: $100,000, far above what any step spends (items cost ~$10). */
const fundingMinor = 10_000_000;

const basePlans: Readonly<Record<ScenarioName, ScenarioPlan>> = {
  browse: {
    scenario: 'browse',
    unit: 'requests',
    description: 'home pages, product pages and searches with typos (2:2:1), anonymous',
    // Up to past the point where the embedded store (one query at a time) stops keeping up.
    ratesPerSec: [25, 50, 100, 200, 400, 800, 1600],
    stepMs: 10_000,
    generators: 2,
    maxInFlightPerGenerator: 256,
    market: { sellers: 0, productsPerSeller: 0, buyers: 0, fundingMinor },
  },
  checkout: {
    scenario: 'checkout',
    unit: 'checkouts',
    description: 'checkout + same-id retry, ship + retry, confirm delivery + retry (6 requests per arrival)',
    ratesPerSec: [5, 10, 20, 40, 80],
    stepMs: 10_000,
    generators: 2,
    maxInFlightPerGenerator: 128,
    market: { sellers: 10, productsPerSeller: 3, buyers: 40, fundingMinor },
  },
  live: {
    scenario: 'live',
    unit: 'checkouts',
    description: 'WebSocket checkouts by connected buyers; latency to the seller\'s order.new notification',
    // 80/s and 400/s carry issue #13's targets (bench/load/live-targets.ts).
    ratesPerSec: [10, 20, 40, 80, 400],
    stepMs: 10_000,
    generators: 2,
    maxInFlightPerGenerator: 256,
    market: { sellers: 20, productsPerSeller: 2, buyers: 200, fundingMinor },
  },
};

function ratesFromEnv(): number[] | null {
  const text = process.env['LOAD_RATES'];
  if (text === undefined || text === '') return null;
  const rates = text.split(',').map(Number);
  if (!rates.every((rate) => Number.isFinite(rate) && rate > 0)) throw new Error(`LOAD_RATES must be positive numbers separated by commas, got ${JSON.stringify(text)}`);
  return rates;
}

export function planFor(scenario: ScenarioName): ScenarioPlan {
  const base = basePlans[scenario];
  const market = quick && scenario === 'live' ? { ...base.market, sellers: 8, buyers: 60 } : base.market;
  return {
    ...base,
    market,
    ratesPerSec: ratesFromEnv() ?? base.ratesPerSec,
    stepMs: integerFromEnv('LOAD_STEP_MS', quick ? 3_000 : base.stepMs),
    generators: integerFromEnv('LOAD_GENERATORS', base.generators),
  };
}

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(basePlans, name);
}
