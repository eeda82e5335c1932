/**
 * The server under load, in a process of its own (spawned by bench/load/coordinator.ts): the real
 * gateway in embedded mode on a fresh temporary DATA_DIR (PGlite on disk, in-process search and
 * bus), seeded with the demo catalog and the admin whose audit ends every run. It prints
 * `READY <port>` once it listens and `USAGE <json>` whenever it reads `usage` on stdin: its CPU
 * time, its memory, and how long its main thread (JavaScript and PGlite) sat runnable waiting
 * for a core, which tells a step slowed by other processes from one slowed by its own work. It stops and deletes its data on `stop`, on SIGTERM/SIGINT, and when its
 * stdin closes (the coordinator is gone), at any point, the start included.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { seedDemo } from '../../gateway/seed/seed.ts';
import { startGateway, type Gateway } from '../../gateway/server.ts';
import { parseConfig } from '../../gateway/app/config.ts';
import { silentLogger } from '../../runtime/logger.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'bazaary-load-'));
let gateway: Gateway | null = null;
let stopping: Promise<void> | null = null;

function stopAndExit(code: number): Promise<void> {
  stopping ??= (async () => {
    try {
      await gateway?.stop();
    } catch (error) {
      process.stderr.write(`load server: unclean stop: ${String(error)}\n`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      process.exit(code);
    }
  })();
  return stopping;
}

process.on('SIGTERM', () => void stopAndExit(0));
process.on('SIGINT', () => void stopAndExit(0));
// A closed pipe (the coordinator died) must not crash the process before it removed its data.
process.stdout.on('error', () => void stopAndExit(0));

/** Milliseconds the main thread waited on a run queue (Linux schedstat's second field); null elsewhere. */
function runQueueWaitMs(): number | null {
  try {
    return Math.round(Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6);
  } catch {
    return null;
  }
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line === 'stop') void stopAndExit(0);
    else if (line === 'usage') {
      const usage = process.resourceUsage();
      const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1_000);
      process.stdout.write(`USAGE ${JSON.stringify({ cpuMs, rssBytes: process.memoryUsage().rss, runQueueWaitMs: runQueueWaitMs() })}\n`);
    }
  })
  .on('close', () => void stopAndExit(0));

try {
  // The load registers every buyer from one IP: the per-IP registration limit (issue #14) is lifted.
  const config = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', REGISTRATIONS_PER_HOUR: '1000000' });
  gateway = await startGateway({ config, logger: silentLogger });
  await seedDemo(gateway.context);
  await gateway.system.processor.drain();
  if (stopping === null) process.stdout.write(`READY ${gateway.port}\n`);
} catch (error) {
  // A start cut short by a stop fails by design; only a start that failed by itself is news.
  if (stopping === null) process.stderr.write(`load server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAndExit(1);
}
