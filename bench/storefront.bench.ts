/**
 * The storefront's weight and speed: the production bundle (every JS and CSS file in
 * storefront/dist/assets, raw and gzipped) and the time to first render of the home page in
 * Chromium against the real `npm start` server, over cold page loads (a fresh browser context
 * each, so nothing is cached). Writes bench/results/storefront.json.
 *
 *   npm run bench:storefront            (STOREFRONT_LOADS=15; BENCH_QUICK=1 makes it 3)
 *
 * "First product card visible" is the first animation frame after a product card is in the
 * document with a non-zero box: the frame that paints it, as close as a page can tell.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { chromiumMissingReason, desktopViewport, launchChromium } from '../storefront/e2e/harness/chromium.ts';
import { startServer } from '../storefront/e2e/harness/server.ts';
import { runInfo } from './lib/machine.ts';
import { integerFromEnv, log, quick } from './lib/options.ts';
import { writeResult } from './lib/results.ts';
import { distributionOf, round } from './lib/stats.ts';
import { printTable } from './lib/table.ts';

const loads = integerFromEnv('STOREFRONT_LOADS', quick ? 3 : 15);
const assetsDir = fileURLToPath(new URL('../storefront/dist/assets/', import.meta.url));
/** Level 9, as CDNs and `vite build`'s own size report compress static assets. */
const gzipLevel = 9;
/** A load that has not shown a product card by then has failed, not merely been slow. */
const loadTimeoutMs = 30_000;

interface AssetSize {
  readonly file: string;
  readonly kind: 'js' | 'css';
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

async function bundleSizes(): Promise<AssetSize[]> {
  const files = (await readdir(assetsDir)).filter((file) => ['.js', '.css'].includes(extname(file))).sort();
  if (files.length === 0) throw new Error(`no JS or CSS in ${assetsDir}: run npm run build:storefront`);
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(join(assetsDir, file));
      return { file, kind: extname(file) === '.js' ? 'js' : 'css', rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: gzipLevel }).length } as const;
    }),
  );
}

/** Runs in the page before the app: notes the frame in which the first product card shows. */
const cardProbe = `
  (() => {
    const visible = () => {
      const card = document.querySelector('[data-testid="product-card"]');
      if (card === null) return false;
      const box = card.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    };
    const observer = new MutationObserver(() => {
      if (window.__firstCardAt !== undefined || !visible()) return;
      window.__firstCardAt = -1;
      observer.disconnect();
      requestAnimationFrame(() => { window.__firstCardAt = performance.now(); });
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  })();
`;

const readTimings = `(() => {
  const paint = performance.getEntriesByType('paint').find((entry) => entry.name === 'first-contentful-paint');
  const navigation = performance.getEntriesByType('navigation')[0];
  return {
    firstContentfulPaintMs: paint === undefined ? null : paint.startTime,
    firstProductCardMs: window.__firstCardAt === undefined || window.__firstCardAt < 0 ? null : window.__firstCardAt,
    domContentLoadedMs: navigation === undefined ? null : navigation.domContentLoadedEventEnd,
    transferredBytes: performance.getEntriesByType('resource').reduce((sum, entry) => sum + (entry.transferSize ?? 0), navigation?.transferSize ?? 0),
  };
})()`;

interface LoadTiming {
  readonly firstContentfulPaintMs: number | null;
  readonly firstProductCardMs: number | null;
  readonly domContentLoadedMs: number | null;
  readonly transferredBytes: number;
}

async function coldLoad(browser: Browser, url: string): Promise<LoadTiming> {
  const context = await browser.newContext({ viewport: desktopViewport });
  try {
    await context.addInitScript({ content: cardProbe });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: loadTimeoutMs });
    // The locator waits from Playwright's own isolated script; a string predicate for
    // waitForFunction would be eval'd in the page, which the storefront's CSP rightly refuses.
    await page.locator('[data-testid="product-card"]').first().waitFor({ timeout: loadTimeoutMs });
    // The probe notes its time one animation frame after the card shows, and Chromium queues
    // the first-contentful-paint entry only after that paint: both are awaited before reading.
    const settled = "window.__firstCardAt > 0 && performance.getEntriesByName('first-contentful-paint').length > 0";
    for (let tries = 0; (await page.evaluate(settled)) !== true; tries += 1) {
      if (tries > 100) throw new Error('the first product card showed, but its paint was never reported');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return (await page.evaluate(readTimings)) as LoadTiming;
  } finally {
    await context.close();
  }
}

function spread(samples: readonly (number | null)[]): { median: number; p95: number; min: number; max: number; missing: number } {
  const measured = samples.filter((sample): sample is number => sample !== null);
  const distribution = distributionOf(measured);
  return {
    median: round(distribution.percentile(0.5)),
    p95: round(distribution.percentile(0.95)),
    min: round(distribution.min),
    max: round(distribution.max),
    missing: samples.length - measured.length,
  };
}

function printBundle(assets: readonly AssetSize[]): { js: { rawBytes: number; gzipBytes: number }; css: { rawBytes: number; gzipBytes: number } } {
  const total = (kind: 'js' | 'css') => ({
    rawBytes: assets.filter((asset) => asset.kind === kind).reduce((sum, asset) => sum + asset.rawBytes, 0),
    gzipBytes: assets.filter((asset) => asset.kind === kind).reduce((sum, asset) => sum + asset.gzipBytes, 0),
  });
  const totals = { js: total('js'), css: total('css') };
  const kb = (bytes: number) => round(bytes / 1024);
  printTable(
    `Production bundle (storefront/dist/assets, gzip level ${gzipLevel})`,
    ['file', 'raw KiB', 'gzip KiB'],
    [
      ...assets.map((asset) => [asset.file, kb(asset.rawBytes), kb(asset.gzipBytes)]),
      ['total JS', kb(totals.js.rawBytes), kb(totals.js.gzipBytes)],
      ['total CSS', kb(totals.css.rawBytes), kb(totals.css.gzipBytes)],
    ],
  );
  return totals;
}

async function main(): Promise<void> {
  const missing = chromiumMissingReason();
  if (missing !== null) throw new Error(`bench:storefront needs Chromium: ${missing}`);
  const run = runInfo();
  log('starting npm start (builds the storefront if stale, seeds the demo catalog)…');
  const server = await startServer();
  let browser: Browser | undefined;
  try {
    const assets = await bundleSizes();
    browser = await launchChromium();
    // One load first, not counted: it warms the server's code paths and caches, not the browser's.
    await coldLoad(browser, `${server.url}/`);
    const timings: LoadTiming[] = [];
    for (let index = 0; index < loads; index += 1) {
      timings.push(await coldLoad(browser, `${server.url}/`));
      log(`load ${index + 1}/${loads}: FCP ${round(timings[index]?.firstContentfulPaintMs ?? Number.NaN)} ms, first card ${round(timings[index]?.firstProductCardMs ?? Number.NaN)} ms`);
    }
    const totals = printBundle(assets);
    const render = {
      firstContentfulPaintMs: spread(timings.map((timing) => timing.firstContentfulPaintMs)),
      firstProductCardVisibleMs: spread(timings.map((timing) => timing.firstProductCardMs)),
      domContentLoadedMs: spread(timings.map((timing) => timing.domContentLoadedMs)),
    };
    printTable(
      `Home page, ${loads} cold loads (fresh context each), Chromium ${browser.version()}, ${desktopViewport.width}×${desktopViewport.height}, loopback`,
      ['metric', 'median ms', 'p95 ms', 'min ms', 'max ms'],
      Object.entries(render).map(([metric, summary]) => [metric, summary.median, summary.p95, summary.min, summary.max]),
    );
    const transferred = spread(timings.map((timing) => timing.transferredBytes));
    const file = await writeResult('storefront', {
      ok: true,
      ...run,
      chromium: browser.version(),
      viewport: desktopViewport,
      bundle: { gzipLevel, assets, totals },
      homePage: { loads, warmupLoads: 1, ...render, transferredBytesMedian: transferred.median },
    });
    log(`wrote ${file}`);
  } finally {
    await browser?.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:storefront failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
