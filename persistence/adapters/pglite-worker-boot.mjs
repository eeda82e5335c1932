// The worker thread's entry for the PGlite worker adapter (pglite-worker.ts). Plain JavaScript,
// because a worker starts without the TypeScript loader its parent runs under (tsx, vitest):
// when the real entry is a .ts file, this registers tsx in the worker first, then loads it.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
