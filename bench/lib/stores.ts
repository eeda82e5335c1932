/**
 * The SQL stores a benchmark can run on, opened with the schema applied and closed without a
 * trace: PGlite in memory, PGlite on disk in a temporary folder (the honest embedded number),
 * and a real PostgreSQL in a throwaway schema that is dropped afterwards.
 *
 * PGlite starts its single-user PostgreSQL with `-F` (fsync off), so "on disk" means every
 * write reaches the OS page cache (a process crash loses nothing) but is not flushed to the
 * device (a power cut may lose the newest writes). PostgreSQL runs with its own settings
 * (fsync and synchronous_commit as configured on the server), which the result records.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../persistence/adapters/db.ts';
import { migrate } from '../../persistence/adapters/migrate.ts';
import { openPostgres } from '../../persistence/adapters/pg.ts';
import { openPglite } from '../../persistence/adapters/pglite.ts';

export type StoreKind = 'pglite-memory' | 'pglite-disk' | 'postgres';

export interface BenchStore {
  readonly kind: StoreKind;
  readonly db: Db;
  /** Where the data lives, for the reader of the result (the URL carries no password here). */
  readonly location: string;
  /** Server settings that decide what a commit costs; empty for PGlite. */
  readonly settings: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function openBenchStore(kind: StoreKind, databaseUrl?: string): Promise<BenchStore> {
  switch (kind) {
    case 'pglite-memory':
      return withSchema(kind, await openPglite(), 'memory', {});
    case 'pglite-disk':
      return openPgliteOnDisk();
    case 'postgres':
      if (databaseUrl === undefined) throw new Error('the postgres store needs DATABASE_URL');
      return openPostgresSchema(databaseUrl);
    default:
      return kind satisfies never;
  }
}

async function openPgliteOnDisk(): Promise<BenchStore> {
  const dir = await mkdtemp(join(tmpdir(), 'bazaary-bench-'));
  try {
    const db = await openPglite(dir);
    // The folder goes only after PGlite closed: closing writes its last pages there.
    return await withSchema('pglite-disk', db, dir, { afterClose: () => rm(dir, { recursive: true, force: true }) });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function openPostgresSchema(url: string): Promise<BenchStore> {
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const db = await openPostgres(url, { schema });
  const store = await withSchema('postgres', db, `${redactPassword(url)} schema ${schema}`, {
    beforeClose: async () => {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  });
  const rows = await db.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings
     WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers', 'server_version')`,
  );
  return { ...store, settings: Object.fromEntries(rows.map((row) => [row.name, row.setting])) };
}

interface CleanUp {
  /** Runs while the Db is still open (dropping a schema needs a connection). */
  readonly beforeClose?: () => Promise<void>;
  /** Runs once the Db is closed (removing the folder it wrote to). */
  readonly afterClose?: () => Promise<void>;
}

/** Applies the migrations; on failure, or later on close, cleans up and closes the Db. */
async function withSchema(kind: StoreKind, db: Db, location: string, cleanUp: CleanUp): Promise<BenchStore> {
  const close = async () => {
    try {
      await cleanUp.beforeClose?.();
    } finally {
      try {
        await db.close();
      } finally {
        await cleanUp.afterClose?.();
      }
    }
  };
  try {
    await migrate(db);
  } catch (error) {
    await close();
    throw error;
  }
  return { kind, db, location, settings: {}, close };
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}
