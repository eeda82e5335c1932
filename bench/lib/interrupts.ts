/**
 * Clean-up on SIGINT / SIGTERM for benchmarks (Ctrl-C, or bench/run.ts stopping a run): Node
 * would exit without running any `finally`, leaving a bench database on the server and PGlite's
 * folder in /tmp. Importing this module installs the handlers.
 */
import { log } from './options.ts';

const interruptCleanUps = new Set<() => Promise<void>>();
let interrupted = false;

function handleInterrupt(signal: NodeJS.Signals): void {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: cleaning up before exiting…`);
  const cleanUps = [...interruptCleanUps].reverse().map((cleanUp) => cleanUp().catch((error: unknown) => log(`clean-up failed: ${String(error)}`)));
  void Promise.all(cleanUps).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}
process.on('SIGINT', handleInterrupt);
process.on('SIGTERM', handleInterrupt);

/** Registers a clean-up for an interrupted run; returns the function that unregisters it. */
export function onInterrupt(cleanUp: () => Promise<void>): () => void {
  interruptCleanUps.add(cleanUp);
  return () => interruptCleanUps.delete(cleanUp);
}

