#!/usr/bin/env node
/**
 * The storefront's JS budget (issue #15): every JS chunk in storefront/dist/assets, gzipped at
 * level 9 as bench/storefront.bench.ts measures it, must total at most 60 KiB. Run after
 * `npm run build:storefront` (CI does); prints each chunk and exits 1 over budget.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const budgetBytes = 60 * 1024;
const assets = new URL('./dist/assets/', import.meta.url);
const files = readdirSync(assets).filter((file) => file.endsWith('.js')).sort();
if (files.length === 0) {
  console.error('check-bundle: no JS in storefront/dist/assets; run npm run build:storefront first');
  process.exit(1);
}
let total = 0;
for (const file of files) {
  const bytes = gzipSync(readFileSync(new URL(file, assets)), { level: 9 }).length;
  total += bytes;
  console.log(`${(bytes / 1024).toFixed(2).padStart(7)} KiB  ${file}`);
}
const verdict = total <= budgetBytes ? 'within' : 'OVER';
console.log(`${(total / 1024).toFixed(2).padStart(7)} KiB  total JS gzipped: ${verdict} the ${budgetBytes / 1024} KiB budget`);
if (total > budgetBytes) process.exit(1);
