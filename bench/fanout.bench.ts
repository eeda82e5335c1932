// Notification fan-out benchmark: uWebSockets.js topic publish vs socket.io room emit.
// Usage: npx tsx bench/fanout.bench.ts [clients]   (or FANOUT_CLIENTS=N)
// The server runs in a child process (same file, `--server uws|sio`) so client-side
// parsing in the parent does not steal the server's event loop.
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { distributionOf } from './lib/stats.ts';

type Kind = 'uws' | 'sio';
const TOPIC = 'notify';
const MESSAGES = 20; // M: publishes per run
// Default 0: all M publishes go back-to-back, so deliveries/s measures fan-out throughput
// rather than the publish pacing. Set FANOUT_GAP_MS to space them out.
const PUBLISH_GAP_MS = Number(process.env.FANOUT_GAP_MS ?? 0);
const BATCH = 500; // clients opened concurrently, avoids connect storms
const DRAIN_TIMEOUT_MS = 20_000; // wait this long after last publish for stragglers
const FD_RESERVE = 200; // fds kept for node, child pipes, etc.

const now = (): number => performance.timeOrigin + performance.now();

// ---------------- server side (child process) ----------------
interface UwsApp {
  ws(pattern: string, behavior: Record<string, unknown>): UwsApp;
  listen(host: string, port: number, cb: (token: unknown) => void): UwsApp;
  publish(topic: string, message: string, isBinary?: boolean): boolean;
}
interface UwsModule {
  App(): UwsApp;
  us_listen_socket_close(token: unknown): void;
  us_socket_local_port(token: unknown): number;
}

async function runServer(kind: Kind): Promise<void> {
  let publish: (msg: string) => void;
  let close: () => void;
  if (kind === 'uws') {
    const uws = createRequire(import.meta.url)('uWebSockets.js') as UwsModule;
    const app = uws.App();
    let token: unknown;
    app.ws('/*', {
      maxPayloadLength: 16 * 1024,
      idleTimeout: 120,
      open: (ws: { subscribe(t: string): boolean }) => ws.subscribe(TOPIC),
    });
    const port = await new Promise<number>((resolve, reject) => {
      app.listen('127.0.0.1', 0, (t) => {
        token = t;
        if (t) resolve(uws.us_socket_local_port(t));
        else reject(new Error('uws listen failed'));
      });
    });
    publish = (msg) => void app.publish(TOPIC, msg, false);
    close = () => uws.us_listen_socket_close(token);
    process.stdout.write(`READY ${port}\n`);
  } else {
    const { Server } = await import('socket.io');
    const { createServer } = await import('node:http');
    const http = createServer();
    const server = new Server(http, { transports: ['websocket'] });
    server.on('connection', (s) => void s.join(TOPIC));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const addr = http.address();
    publish = (msg) => void server.to(TOPIC).emit('n', msg);
    close = () => {
      server.close();
      http.closeAllConnections();
    };
    process.stdout.write(`READY ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  }
  // Commands on stdin: "pub <i>" publishes with a fresh timestamp taken in the server at
  // publish time (wall clock, same host as the clients); "exit" quits.
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.startsWith('pub ')) publish(JSON.stringify({ i: Number(line.slice(4)), t: now() }));
    else if (line === 'exit') break;
  }
  close();
  process.exit(0);
}

// ---------------- client side (parent) ----------------
interface Tally {
  latencies: number[];
  lastDelivery: number;
}

function record(tally: Tally, raw: string): void {
  const t = now();
  const msg = JSON.parse(raw) as { t: number };
  tally.latencies.push(t - msg.t);
  tally.lastDelivery = t;
}

function startServer(kind: Kind): Promise<{ child: ChildProcess; port: number }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--server', kind], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) resolve({ child, port: Number(m[1]) });
      else reject(new Error(`bad server output: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

type Closer = () => void;

function openUws(port: number, tally: Tally): Promise<Closer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.on('message', (data) => record(tally, data.toString()));
    ws.once('open', () => resolve(() => ws.terminate()));
    ws.once('error', reject);
  });
}

function openSio(port: number, tally: Tally): Promise<Closer> {
  return new Promise((resolve, reject) => {
    const s: ClientSocket = ioClient(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    s.on('n', (raw: string) => record(tally, raw));
    s.once('connect', () => resolve(() => s.disconnect()));
    s.once('connect_error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runKind(kind: Kind, n: number) {
  const { child, port } = await startServer(kind);
  const tally: Tally = { latencies: [], lastDelivery: 0 };
  const closers: Closer[] = [];
  const open = kind === 'uws' ? openUws : openSio;
  const connectStart = now();
  for (let i = 0; i < n; i += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, n - i) }, () => open(port, tally)),
    );
    closers.push(...batch);
  }
  const connectMs = now() - connectStart;
  await sleep(500); // let socket.io finish room joins server-side
  const firstPublish = now();
  for (let i = 0; i < MESSAGES; i++) {
    child.stdin!.write(`pub ${i}\n`);
    if (PUBLISH_GAP_MS > 0) await sleep(PUBLISH_GAP_MS);
  }
  const expected = n * MESSAGES;
  const deadline = now() + DRAIN_TIMEOUT_MS;
  while (tally.latencies.length < expected && now() < deadline) await sleep(20);
  const received = tally.latencies.length;
  const spanMs = (tally.lastDelivery || now()) - firstPublish;
  // The two clocks are the same wall clock read in two processes; a delivery faster than their
  // sub-millisecond disagreement would read negative, and counts as 0.
  const latencies = distributionOf(tally.latencies.map((latency) => Math.max(0, latency)));
  for (const c of closers) c();
  child.stdin!.write('exit\n');
  await new Promise((r) => child.once('exit', r));
  return {
    server: kind === 'uws' ? 'uWebSockets.js app.publish' : 'socket.io 4.8.4 io.to(room).emit',
    connectMs: Math.round(connectMs),
    expected,
    received,
    loss: expected - received,
    spanMs: Math.round(spanMs),
    deliveriesPerSec: Math.round(received / (spanMs / 1000)),
    p50Ms: Number(latencies.percentile(0.5).toFixed(2)),
    p99Ms: Number(latencies.percentile(0.99).toFixed(2)),
  };
}

function fdLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim()) || 1024;
  } catch {
    return 1024;
  }
}

async function main(): Promise<void> {
  const requested = Number(process.argv[2] ?? process.env.FANOUT_CLIENTS ?? 10_000);
  // Each client costs 2 fds on this host (client + server end, though in different processes);
  // the parent only holds the client ends, so its own limit caps N.
  const limit = fdLimit();
  const cap = Math.max(1, limit - FD_RESERVE);
  const n = Math.min(requested, cap);
  const notes: string[] = [];
  if (n < requested) {
    notes.push(`N capped from ${requested} to ${n}: ulimit -n is ${limit}`);
    console.log(notes[0]);
  }
  // Caveats recorded with every run so the numbers are not over-read.
  notes.push(
    'all clients live in one parent node process: at high N client-side frame parsing, not the server, may bound the uWS figures',
    'latency = client receive time - server publish timestamp (same host wall clock); with back-to-back publishes it includes queueing behind earlier messages',
  );
  const started = Date.now();
  const results = [await runKind('uws', n), await runKind('sio', n)];
  console.table(results);
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD').toString().trim();
  } catch { /* not a git checkout */ }
  const out = {
    date: new Date().toISOString(),
    commit,
    machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() },
    topology: 'server in child process (node --import tsx), clients in parent process',
    clients: { uws: 'ws 8', sio: "socket.io-client 4.8.4, transports ['websocket']" },
    n,
    m: MESSAGES,
    publishGapMs: PUBLISH_GAP_MS,
    wallMs: Date.now() - started,
    results,
    notes,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/fanout.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
}

const serverIdx = process.argv.indexOf('--server');
if (serverIdx >= 0) await runServer(process.argv[serverIdx + 1] as Kind);
else {
  await main();
  process.exit(0);
}
