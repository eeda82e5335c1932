/** Forks the load generator processes (bench/load/worker.ts) and exchanges messages with them. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from './worker.ts';

export interface Generator {
  readonly index: number;
  /** Sends a message and resolves with the generator's answer; a `failed` answer rejects. */
  ask(message: ToWorker): Promise<FromWorker>;
  kill(): void;
}

function spawnGenerator(index: number): Generator {
  const script = fileURLToPath(new URL('worker.ts', import.meta.url));
  const child: ChildProcess = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve: (message: FromWorker) => void; reject: (error: Error) => void } | null = null;
  child.on('message', (message: FromWorker) => {
    const current = waiting;
    waiting = null;
    if (current === null) return;
    if (message.type === 'failed') current.reject(new Error(`load generator ${index} failed: ${message.message}`));
    else current.resolve(message);
  });
  child.on('exit', (code, signal) => {
    waiting?.reject(new Error(`load generator ${index} exited (${code ?? signal})`));
    waiting = null;
  });
  return {
    index,
    ask(message) {
      if (waiting !== null) return Promise.reject(new Error(`load generator ${index} is busy`));
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        child.send(message);
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

export function spawnGenerators(count: number): Generator[] {
  return Array.from({ length: count }, (_, index) => spawnGenerator(index));
}
