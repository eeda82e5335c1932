/**
 * Starts gateway-process.ts as a child process and talks to it over real HTTP, for tests that
 * need several gateway processes (issue #6). Keeps the child's JSON log lines for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const script = fileURLToPath(new URL('./gateway-process.ts', import.meta.url));

export interface ChildGateway {
  readonly base: string;
  /** Every JSON line the child logged, in order. */
  readonly logs: Record<string, unknown>[];
  /** The exit code once the child has exited, else null. */
  exitCode(): number | null;
  call(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startChildGateway(env: Record<string, string>): Promise<ChildGateway> {
  // Only what the test names: a developer's own service URLs (MEILI_URL, S3_…) must not leak in.
  const dataDir = mkdtempSync(join(tmpdir(), 'bazaary-child-gateway-'));
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), DATA_DIR: dataDir };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...base, HOST: '127.0.0.1', PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let exited: number | null = null;
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code ?? 1;
      rmSync(dataDir, { recursive: true, force: true });
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(parsed);
      if (parsed['t'] === 'listening') resolve(Number(parsed['port']));
    });
    void exit.then(() => reject(new Error(`gateway child exited with ${exited}: ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;

  const call: ChildGateway['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (metrics): the text itself.
    }
    return { status: response.status, body, headers: response.headers };
  };

  async function stop(): Promise<void> {
    if (exited !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(killer);
  }

  return { base: url, logs, exitCode: () => exited, call, stop };
}
