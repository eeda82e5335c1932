/**
 * Starts one real server for the whole e2e run (the demo seed costs ~15 s, too much to pay per
 * file) and hands its URL to the test files. Without Chromium nothing starts, and every file
 * reports itself skipped with the reason.
 */
import type { TestProject } from 'vitest/node';
import { chromiumMissingReason } from './harness/chromium.ts';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';
import { startServer } from './harness/server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server's origin, e.g. http://127.0.0.1:41234; empty when the run is skipped. */
    e2eBaseUrl: string;
    /** Why the browser tests are skipped; empty when they run. */
    e2eSkipReason: string;
    /** A loopback port kept for the test's cuttable proxy (its origin is in CORS_ORIGINS). */
    e2eProxyPort: number;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const missing = chromiumMissingReason();
  if (missing !== null) {
    project.provide('e2eBaseUrl', '');
    project.provide('e2eSkipReason', missing);
    project.provide('e2eProxyPort', 0);
    return undefined;
  }
  const proxyPort = await freePort();
  const server = await startServer([`http://127.0.0.1:${proxyPort}`]);
  project.provide('e2eBaseUrl', server.url);
  project.provide('e2eProxyPort', proxyPort);
  project.provide('e2eSkipReason', '');
  return () => server.stop();
}
