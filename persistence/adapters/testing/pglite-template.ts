/**
 * A migrated PGlite data directory, built once and copied into each test's data directory.
 *
 * Most of a fresh PGlite's start is its initdb (about 2.5 s here, 5+ s on a loaded machine);
 * the migrations add about 0.1 s. Opening a copy of an already migrated cluster takes about
 * 0.6 s, and the copy about 0.1 s. The copy is a real on-disk cluster, so a test still runs
 * the whole start: openStores opens it (in a worker thread or in-process) and runs `migrate`,
 * which finds every migration applied.
 *
 * The unit tier builds the template in its global setup (vitest.global-setup.ts) and names it
 * in `BAZAARY_PGLITE_TEMPLATE`; without that (a proof, a benchmark, one file run by hand), the
 * first copy builds one in this process's temp directory.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../db.ts';
import { migrate } from '../migrate.ts';
import { openPglite } from '../pglite.ts';

/** The environment variable that names a template built by the global setup. */
export const templateEnv = 'BAZAARY_PGLITE_TEMPLATE';

/** Creates a PGlite cluster in `dir` (which must not hold one) and applies every migration. */
export async function buildPgliteTemplate(dir: string): Promise<void> {
  const db = await openPglite(dir);
  try {
    await migrate(db);
  } finally {
    // A clean close checkpoints, so the files on disk are the whole cluster.
    await db.close();
  }
}

let localTemplate: Promise<string> | null = null;

function templateDir(): Promise<string> {
  const built = process.env[templateEnv];
  if (built !== undefined && built !== '' && existsSync(built)) return Promise.resolve(built);
  localTemplate ??= (async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bazaary-pglite-template-')), 'pglite');
    await buildPgliteTemplate(dir);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return localTemplate;
}

/**
 * Puts a migrated PGlite cluster at `${dataDir}/pglite`, where openStores looks for it, unless
 * one is there already (a restart reopens its own data).
 */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const target = join(dataDir, 'pglite');
  if (existsSync(join(target, 'PG_VERSION'))) return;
  const template = await templateDir();
  mkdirSync(dataDir, { recursive: true });
  cpSync(template, target, { recursive: true });
}

/** A fresh copy of the migrated template in a temp directory, and how to delete it. */
export async function migratedPgliteCopy(): Promise<{ readonly dir: string; remove(): void }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bazaary-pglite-'));
  await seedPgliteDataDir(dataDir);
  return { dir: join(dataDir, 'pglite'), remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/**
 * An in-process PGlite on its own copy of the migrated template, for tests that want a
 * database of their own: what `openPglite()` plus `migrate` gives, in a fraction of the time.
 * Closing it deletes the copy.
 */
export async function openMigratedPglite(): Promise<Db> {
  const copy = await migratedPgliteCopy();
  const db = await openPglite(copy.dir);
  // Nothing to apply: the template is current. It still runs, as it does at every start.
  await migrate(db);
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        copy.remove();
      }
    },
  };
}
