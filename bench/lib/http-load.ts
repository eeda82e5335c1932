/**
 * A closed-loop HTTP load generator for one URL, run as its own process so it never shares an
 * event loop with the server it measures: `tsx bench/lib/http-load.ts <url> <seconds> <concurrency>`.
 * Prints one JSON line: requests, requests/s, latency p50/p99 (ms) and non-2xx/errors.
 */
import http from 'node:http';
import { distributionOf } from './stats.ts';

const [url = '', secondsText = '5', concurrencyText = '64'] = process.argv.slice(2);
const durationMs = Number(secondsText) * 1000;
const concurrency = Number(concurrencyText);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies: number[] = [];
let failures = 0;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const request = http.get(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => {
        if (response.statusCode !== 200) failures += 1;
        latencies.push(performance.now() - started);
        resolve();
      });
    });
    request.on('error', () => {
      failures += 1;
      resolve();
    });
  });
}

const deadline = performance.now() + durationMs;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) await once();
  }),
);
const elapsedS = (performance.now() - started) / 1000;
const distribution = distributionOf(latencies);
process.stdout.write(`${JSON.stringify({ requests: latencies.length, rps: latencies.length / elapsedS, p50Ms: distribution.percentile(0.5), p99Ms: distribution.percentile(0.99), failures })}\n`);
agent.destroy();
