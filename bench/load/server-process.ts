/** Starts bench/load/server.ts as a child process and talks to it over its stdin and stdout. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { integerFromEnv } from '../lib/options.ts';

/** First start of PGlite plus the demo seed; measured at ~10 s here on a quiet machine, so two
 *  minutes means stuck (LOAD_SERVER_START_MS raises it on a loaded one). */
const startTimeoutMs = integerFromEnv('LOAD_SERVER_START_MS', 120_000);
/** How long the server gets to close its stores and delete its folder before SIGKILL. */
const stopGraceMs = 15_000;

export interface ServerUsage {
  readonly cpuMs: number;
  readonly rssBytes: number;
  /** The server's main thread's time runnable but waiting for a core; null off Linux. */
  readonly runQueueWaitMs: number | null;
}

export interface ServerProcess {
  readonly baseUrl: string;
  usage(): Promise<ServerUsage>;
  stop(): Promise<void>;
}

export function startServerProcess(): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('server.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const server: Omit<ServerProcess, 'baseUrl'> = {
    async usage() {
      child.stdin?.write('usage\n');
      const line = await nextLine();
      if (!line.startsWith('USAGE ')) throw new Error(`the load server answered ${JSON.stringify(line)} to usage`);
      return JSON.parse(line.slice('USAGE '.length)) as ServerUsage;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end('stop\n');
      const killer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(killer);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the load server did not start in ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the load server exited before it was ready (${code ?? signal})`));
    });
    void nextLine().then((line) => {
      clearTimeout(timer);
      const match = /^READY (\d+)$/.exec(line);
      if (match === null) reject(new Error(`the load server said ${JSON.stringify(line)} instead of READY <port>`));
      else resolve({ ...server, baseUrl: `http://127.0.0.1:${match[1]}` });
    });
  });
}
