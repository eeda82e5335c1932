/**
 * Starts the real `npm start` server for the browser tests and the storefront benchmark: a
 * fresh data directory, a free loopback port, and the demo seed. It waits for the start banner
 * and for /readyz, and stops the whole process group (npm, tsx and node) on `stop()`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../persistence/adapters/testing/free-port.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** A first start builds the storefront when stale (~30 s) and seeds 210 products (~15 s). */
const startTimeoutMs = 240_000;
/** How long SIGTERM gets before SIGKILL: a clean stop flushes the journal in well under this. */
const stopGraceMs = 10_000;
/** Output kept for the error message of a failed start. */
const maxLogChars = 20_000;

export interface RunningServer {
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** Extra origins (e.g. the test proxy's) are added to CORS_ORIGINS beside the server's own. */
export async function startServer(extraOrigins: readonly string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'bazaary-e2e-'));
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: [url, `http://localhost:${port}`, ...extraOrigins].join(','),
      // Every browser test registers its own accounts, all from 127.0.0.1; the per-IP limit is for
      // real visitors (gateway/routes/auth.ts), so the suite raises it as the gateway harness does.
      REGISTRATIONS_PER_HOUR: '1000',
      // Every browser file signs in several times from 127.0.0.1 against one server.
      LOGINS_PER_MINUTE: '1000',
    },
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-maxLogChars);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  // The server runs in its own process group, so it would outlive a test run that crashes.
  const killOnExit = () => child.pid !== undefined && signalGroup(child.pid, 'SIGTERM');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      signalGroup(child.pid, 'SIGTERM');
      const killer = setTimeout(() => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForStart(url, () => log, exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, dataDir, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // A negative pid signals the process group: npm, tsx and the server all stop together.
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitForStart(url: string, log: () => string, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`npm start exited with ${exitCode} before it was ready:\n${log()}`);
    if (log().includes('Bazaary is running at') && (await ready(url))) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`npm start was not ready within ${startTimeoutMs} ms:\n${log()}`);
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`);
    return response.status === 200;
  } catch {
    return false;
  }
}
