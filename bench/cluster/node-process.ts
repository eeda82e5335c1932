/**
 * One cluster node as a real process: `node --import tsx gateway/main.ts` (what `npm start` runs,
 * without the storefront build), with the cluster's environment, on ports of its own. It is spawned
 * with node directly rather than through the `tsx` launcher, which would put a second process in
 * between: SIGTERM and SIGKILL must reach the gateway itself, as they would under a supervisor.
 *
 * Ready means it printed "Bazaary is running at …" (the gateway listens; its first lease round is
 * done). Its stderr is kept (the last lines) to explain a failed start or an unclean stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';

export interface ClusterSettings {
  readonly databaseUrl: string;
  readonly shardCount: number;
  readonly leaseTtlMs: number;
  /** Shared by every node: a token signed by one is accepted by all. */
  readonly jwtSecret: string;
  readonly clusterSecret: string;
}

export interface NodeProcess {
  readonly node: string;
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly pid: number;
  /** CPU seconds the process has used so far (utime + stime), or null once it is gone. */
  cpuSeconds(): number | null;
  /** SIGTERM (a clean stop: drain, release, leave) and wait for the exit; its duration in ms. */
  terminate(): Promise<number>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** A cold start compiles the gateway with tsx and runs the migrations: seconds here, so a minute means stuck. */
const startTimeoutMs = 60_000;
/** How long a clean stop may take before the node is killed (and the stop counted as unclean). */
const stopTimeoutMs = 20_000;
const stderrLinesKept = 40;
/** Linux's USER_HZ, the unit of /proc CPU times. */
const ticksPerSecond = 100;

function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)" start at field 3 (state); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / ticksPerSecond;
  } catch {
    return null;
  }
}

export async function startNode(node: string, settings: ClusterSettings): Promise<NodeProcess> {
  const [port, internalPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), `bazaary-cluster-bench-${node}-`));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: settings.databaseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      JWT_SECRET: settings.jwtSecret,
      // The bench registers its buyers from one address.
      REGISTRATIONS_PER_HOUR: '1000000',
      CLUSTER_NODE_ID: node,
      CLUSTER_SHARDS: String(settings.shardCount),
      CLUSTER_LEASE_TTL_MS: String(settings.leaseTtlMs),
      CLUSTER_PORT: String(internalPort),
      CLUSTER_ADDRESS: `http://127.0.0.1:${internalPort}`,
      CLUSTER_SECRET: settings.clusterSecret,
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`node ${node} did not spawn`);
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > stderrLinesKept) stderr.shift();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      void rm(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${node} did not start in ${startTimeoutMs} ms:\n${stderr.join('\n')}`));
    }, startTimeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`node ${node} exited before it was ready (${code ?? signal}):\n${stderr.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('Bazaary is running at')) return;
      clearTimeout(timer);
      resolve();
    });
  });

  return {
    node,
    baseUrl: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    pid,
    cpuSeconds: () => (alive() ? processCpuSeconds(pid) : null),
    exited,
    async terminate() {
      const startedAt = performance.now();
      if (!alive()) return 0;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const { code } = await exited;
      clearTimeout(killer);
      if (code !== 0) throw new Error(`node ${node} did not stop cleanly (exit ${code}):\n${stderr.join('\n')}`);
      return performance.now() - startedAt;
    },
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}
