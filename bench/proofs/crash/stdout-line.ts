/**
 * How the crash workers (wallet-worker.ts, saga-worker.ts) report: one JSON line on fd 1, written
 * synchronously, returning only once the kernel has it. process.stdout is no good here: when the
 * pipe is full (the test busy elsewhere), it queues the line in memory and returns, and a SIGKILL
 * then loses a line whose effect did reach the journal, which the test would read as a lie.
 */
import { writeSync } from 'node:fs';

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

export function writeJsonLine(line: unknown): void {
  const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      // A non-blocking pipe that is full: wait a moment for the reader, without yielding, so no
      // other work (and no journal write) runs before the line is out.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pauseCell, 0, 0, 1);
    }
  }
}
