/**
 * HTTP `GET /api/products/:id`: the uWebSockets.js gateway against a fastify server serving the
 * same read (the same `findProduct` on the same store), in one run. Each target is loaded by a
 * separate load-generator process (bench/lib/http-load.ts), one target at a time.
 * Writes bench/results/http.json.  HTTP_BENCH_SECONDS (5), HTTP_BENCH_CONCURRENCY (64).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { findProduct } from '../gateway/read/products.ts';
import { startGateway } from '../gateway/server.ts';
import { parseConfig } from '../runtime/config.ts';
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

async function main(): Promise<void> {
  const run = runInfo();
  const config = parseConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'bazaary-http-bench-')), LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false' });
  const gateway = await startGateway({ config, logger: silentLogger });
  const sellers = gateway.system.sellers;
  await sellers.ask('bench-seller', { type: 'RegisterSeller', commandId: 'register', name: 'Bench Seller', email: 'bench@example.test' });
  await sellers.ask('bench-seller', { type: 'CreateProduct', commandId: 'create', productId: 'bench-product', fields: { title: 'Bench Lamp', description: 'A lamp', priceMinor: 2_500, stock: 10, category: 'home' } });
  await gateway.system.processor.drain();

  const fastify = Fastify({ logger: false });
  fastify.get<{ Params: { id: string } }>('/api/products/:id', async (request, reply) => {
    const product = await findProduct(gateway.context.db, request.params.id);
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

  printTable(`GET /api/products/:id, ${concurrency} connections, ${seconds} s each`, ['server', 'req/s', 'p50 ms', 'p99 ms', 'failures'], [
    ['uWebSockets.js gateway', Math.round(results.uws.rps), round(results.uws.p50Ms), round(results.uws.p99Ms), results.uws.failures],
    ['fastify 5', Math.round(results.fastify.rps), round(results.fastify.p50Ms), round(results.fastify.p99Ms), results.fastify.failures],
  ]);
  const ok = results.uws.failures === 0 && results.fastify.failures === 0;
  const note =
    'Both servers answer from the same PGlite store, which runs one query at a time: the store, not the HTTP layer, bounds both. ' +
    'The gateway also runs routing, auth lookup, validation, security headers and metrics per request; the fastify route runs the bare read.';
  console.log(`wrote ${await writeResult('http', { ok, run, seconds, concurrency, results, note })}`);
}

await main();
