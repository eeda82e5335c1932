/**
 * HTTP `GET /api/products/:id`: the uWebSockets.js gateway against a fastify server serving the
 * same read (the same `findProduct` on the same store), in one run. Each target is loaded by a
 * separate load-generator process (bench/lib/http-load.ts), one target at a time. The gateway
 * runs with its product read cache off (`uws`, comparable to fastify), on in process
 * (`uwsCached`), and, when REDIS_URL is set, in Redis (`uwsRedisCached`, issue #6).
 * Writes bench/results/http.json.  HTTP_BENCH_SECONDS (5), HTTP_BENCH_CONCURRENCY (64), REDIS_URL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { deleteKeys } from '../gateway/redis/testing/redis-keys.ts';
import { startGateway } from '../gateway/server.ts';
import { parseConfig } from '../gateway/app/config.ts';
import { silentLogger } from '../runtime/logger.ts';
import { runInfo } from './lib/machine.ts';
import { integerFromEnv } from './lib/options.ts';
import { writeResult } from './lib/results.ts';
import { round } from './lib/stats.ts';
import { printTable } from './lib/table.ts';

const seconds = integerFromEnv('HTTP_BENCH_SECONDS', 5);
const concurrency = integerFromEnv('HTTP_BENCH_CONCURRENCY', 64);

interface Load {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
}

/** Asynchronous on purpose: the servers live in this process and must keep answering. */
async function load(url: string): Promise<Load> {
  const args = ['--import', 'tsx', 'bench/lib/http-load.ts', url, String(seconds), String(concurrency)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Load;
}

/** A gateway over a fresh embedded store holding one product; `env` picks the cache. */
async function startBenchGateway(env: Record<string, string>, redisPrefix?: string) {
  const config = parseConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'bazaary-http-bench-')), LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', ...env });
  const gateway = await startGateway({ config, logger: silentLogger, ...(redisPrefix === undefined ? {} : { redisPrefix }) });
  const sellers = gateway.system.sellers;
  await sellers.ask('bench-seller', { type: 'RegisterSeller', commandId: 'register', name: 'Bench Seller', email: 'bench@example.test' });
  await sellers.ask('bench-seller', { type: 'CreateProduct', commandId: 'create', productId: 'bench-product', fields: { title: 'Bench Lamp', description: 'A lamp', priceMinor: 2_500, stock: 10, category: 'home' } });
  await gateway.system.processor.drain();
  return gateway;
}

/** The gateway with the given cache, loaded on its own and stopped. */
async function loadCached(env: Record<string, string>, redisPrefix?: string): Promise<Load> {
  const gateway = await startBenchGateway(env, redisPrefix);
  try {
    return await load(`http://127.0.0.1:${gateway.port}/api/products/bench-product`);
  } finally {
    await gateway.stop();
  }
}

async function main(): Promise<void> {
  const run = runInfo();
  const gateway = await startBenchGateway({ PRODUCT_CACHE_TTL: '0' });

  const fastify = Fastify({ logger: false });
  fastify.get<{ Params: { id: string } }>('/api/products/:id', async (request, reply) => {
    const product = await gateway.context.queries.products.find( request.params.id);
    if (product === null) return reply.code(404).send({ error: { code: 'product_not_found', message: 'no such product' } });
    return product;
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const fastifyPort = (fastify.server.address() as { port: number }).port;

  const results = {
    uws: await load(`http://127.0.0.1:${gateway.port}/api/products/bench-product`),
    fastify: await load(`http://127.0.0.1:${fastifyPort}/api/products/bench-product`),
  };
  await fastify.close();
  await gateway.stop();
  const cached = { uwsCached: await loadCached({ PRODUCT_CACHE_TTL: '5s' }) };
  const redisUrl = process.env['REDIS_URL'];
  const redisPrefix = `bench:http:${Date.now()}:`;
  const redisCached = redisUrl === undefined || redisUrl === '' ? {} : { uwsRedisCached: await loadCached({ PRODUCT_CACHE_TTL: '5s', REDIS_URL: redisUrl }, redisPrefix) };
  if (redisUrl !== undefined && redisUrl !== '') await deleteKeys(redisUrl, redisPrefix);
  const all: Record<string, Load> = { ...results, ...cached, ...redisCached };

  const labels: Record<string, string> = {
    uws: 'uWebSockets.js gateway, cache off',
    fastify: 'fastify 5 (bare read)',
    uwsCached: 'gateway, in-process cache (5 s)',
    uwsRedisCached: 'gateway, Redis cache (5 s)',
  };
  printTable(
    `GET /api/products/:id, ${concurrency} connections, ${seconds} s each`,
    ['server', 'req/s', 'p50 ms', 'p99 ms', 'failures'],
    Object.entries(all).map(([name, result]) => [labels[name] ?? name, Math.round(result.rps), round(result.p50Ms), round(result.p99Ms), result.failures]),
  );
  const ok = Object.values(all).every((result) => result.failures === 0);
  const note =
    'Without the cache both servers answer from the same PGlite store, which runs one query at a time: the store, not the HTTP layer, bounds both. ' +
    'The gateway also runs routing, auth lookup, validation, security headers and metrics per request; the fastify route runs the bare read. ' +
    'With the product cache on (PRODUCT_CACHE_TTL, issue #6) repeated reads of one product skip the store; the load generator shares the 2 cores.';
  console.log(`wrote ${await writeResult('http', { ok, run, seconds, concurrency, results: all, note })}`);
}

await main();
