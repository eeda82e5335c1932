/**
 * The proof's three gateway processes: each is `npm start`'s program (gateway/main.ts) in a
 * process of its own, started as `node --import tsx gateway/main.ts` rather than through the tsx
 * CLI, because the CLI runs the program in a child process: a SIGKILL or SIGSTOP sent to the CLI
 * would not reach the node. Each node reaches PostgreSQL through its own proxy (db-proxy.ts), and
 * its connections carry `application_name=bazaary-<node>`, which is how the proof tells the
 * nodes' sessions and rows apart in the database (checks.ts, faults.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** tsx compiling the gateway on 2 busy cores; a node not up by then is broken. */
const startTimeoutMs = 60_000;
/** How much of a node's log a failed start quotes. */
const logTailLines = 40;

export const shardCount = 16;
export const leaseTtlMs = 1_500;
/** Escrow auto-release after shipping, compressed from 7 days so that some release by timer. */
export const escrowReleaseMs = 2_000;
export const clusterSecret = 'three-node-proof-secret-of-32-characters';
export const adminLogin = { email: 'proof-admin@example.test', password: 'proof-admin-password' };

export const appName = (node: string) => `bazaary-${node}`;

export interface NodeSpec {
  readonly id: string;
  /** The database as the node sees it: its proxy's port. */
  readonly proxyPort: number;
  readonly database: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly httpPort: number;
  readonly clusterPort: number;
}

export class GatewayNode {
  private child: ChildProcess | null = null;
  private log: WriteStream | null = null;

  constructor(readonly spec: NodeSpec) {}

  get id(): string {
    return this.spec.id;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) throw new Error(`node ${this.id} is not running`);
    return pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.spec.httpPort}`;
  }

  async start(): Promise<void> {
    const { id, proxyPort, database, dataDir, httpPort, clusterPort } = this.spec;
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${proxyPort}/${database}?application_name=${appName(id)}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env['CLUSTER_PROOF_NODE_LOG_LEVEL'] ?? 'warn',
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      CLUSTER_NODE_ID: id,
      CLUSTER_SHARDS: String(shardCount),
      CLUSTER_LEASE_TTL_MS: String(leaseTtlMs),
      CLUSTER_ADDRESS: `http://127.0.0.1:${clusterPort}`,
      CLUSTER_PORT: String(clusterPort),
      CLUSTER_SECRET: clusterSecret,
      JWT_SECRET: 'three-node-proof-jwt-secret-of-32-characters',
      ESCROW_RELEASE_AFTER: `${escrowReleaseMs}ms`,
      SHIP_BY_WINDOW: '1h',
      // Saga steps cut short by a fault resume at their wake-up timer; 30 s by default.
      STEP_RETRY_AFTER: '2s',
      SEED_DEMO: 'false',
      REGISTRATIONS_PER_HOUR: '1000000',
      LOGINS_PER_MINUTE: '1000000',
      PRODUCT_CACHE_TTL: '0',
      STOREFRONT_DIR: join(dataDir, 'no-storefront'),
      ADMIN_EMAIL: adminLogin.email,
      ADMIN_PASSWORD: adminLogin.password,
    };
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log.write(`--- start ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    await this.waitUntilHealthy(child);
  }

  private async waitUntilHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + startTimeoutMs;
    const url = `${this.baseUrl}/healthz`;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${this.id} exited while starting (${child.exitCode ?? child.signalCode})${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`node ${this.id} did not start in ${startTimeoutMs} ms${this.logTail()}`);
      const healthy = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then((response) => response.ok, () => false);
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The end of the node's log, for an error: the log lives in the test's temporary folder,
   *  which is gone by the time anyone reads a failed CI run. */
  private logTail(): string {
    let text: string;
    try {
      text = readFileSync(this.spec.logFile, 'utf8');
    } catch (error) {
      return `; its log ${this.spec.logFile} could not be read (${String(error)})`;
    }
    const lines = text.trimEnd().split('\n').slice(-logTailLines);
    return `; the last ${lines.length} lines of its log ${this.spec.logFile}:\n${lines.join('\n')}`;
  }

  signal(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): void {
    process.kill(this.pid, signal);
  }

  /** SIGKILL, and the exit seen (so a restart gets the ports back). */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === null || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** A clean stop (SIGTERM: hands its shards off), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (child === null || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid ?? 0, 'SIGCONT');
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  }

  closeLog(): void {
    this.log?.end();
    this.log = null;
  }
}
