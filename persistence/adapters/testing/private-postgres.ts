/**
 * A PostgreSQL cluster of a test's own (initdb in a temporary folder, its own port), for tests
 * that stop and start the server under a running system. The machine's PostgreSQL binaries are
 * used; as root, the cluster runs as the `postgres` user (initdb refuses root). `skipReason` says
 * why such a cluster cannot be made here, so the test can skip and say so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const binRoot = '/usr/lib/postgresql';

function binDir(): string | null {
  if (!existsSync(binRoot)) return null;
  const versions = readdirSync(binRoot).filter((name) => existsSync(join(binRoot, name, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(binRoot, versions[0], 'bin');
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
  } catch {
    return null;
  }
}

const isRoot = process.getuid?.() === 0;

export const privatePostgresSkipReason: string | null =
  binDir() === null ? `no PostgreSQL binaries under ${binRoot}` : isRoot && postgresIds() === null ? 'running as root without a postgres user' : null;

export interface PrivatePostgres {
  readonly url: string;
  stop(): void;
  start(): void;
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (bin === null) throw new Error(privatePostgresSkipReason ?? 'no PostgreSQL binaries');
  const dir = await mkdtemp(join(tmpdir(), 'bazaary-pg-'));
  const data = join(dir, 'data');
  const ids = isRoot ? postgresIds() : null;
  if (ids !== null) {
    await chown(dir, ids.uid, ids.gid);
    await chmod(dir, 0o700);
  }
  const run = (tool: string, args: readonly string[]) => {
    const command = join(bin, tool);
    const [file, argv] = ids === null ? [command, args] : ['runuser', ['-u', 'postgres', '--', command, ...args]];
    execFileSync(file, argv, { stdio: 'pipe' });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '--auth=trust', '--username=postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async destroy() {
      try {
        stop();
      } catch {
        // Already stopped.
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
