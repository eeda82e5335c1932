/**
 * A migrated PGlite data directory, built once and copied into each test's data directory.
 *
 * Most of a fresh PGlite's start is its initdb (about 2.5 s here, 5+ s on a loaded machine);
 * the migrations add about 0.1 s. Opening a copy of an already migrated cluster takes about
 * 0.6 s, and the copy about 0.1 s. The copy is a real on-disk cluster, so a test still runs
 * the whole start: openStores opens it (in a worker thread or in-process) and runs `migrate`,
 * which finds every migration applied.
 *
 * The template lives in the temp directory under a name made from the PGlite version and the
 * migrations' text, so a changed migration or PGlite gets a new one and a later run reuses a
 * current one. It is built in a staging directory and renamed into place, so a template that
 * exists is whole. The test tiers build it in their global setup (pglite-template.global-setup.ts),
 * before the test workers start; anything else builds it at its first copy.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from '../db.ts';
import { loadMigrations, migrate } from '../migrate.ts';
import { createPglite, pgliteDb, pgliteOptions } from '../pglite.ts';

/** Bump when the way the template is built changes. */
const templateFormat = 2;

/** The template: a migrated cluster on disk, and the same cluster dumped for in-memory opens. */
interface Template {
  readonly cluster: string;
  readonly dump: string;
}

function templateIn(home: string): Template {
  return { cluster: join(home, 'pglite'), dump: join(home, 'pglite.tar') };
}

/** Creates a PGlite cluster (there must be none) and its dump, and applies every migration. */
async function buildPgliteTemplate(template: Template): Promise<void> {
  const pg = await PGlite.create(pgliteOptions(template.cluster));
  try {
    await migrate(pgliteDb(pg));
    const dump = await pg.dumpDataDir('none');
    writeFileSync(template.dump, new Uint8Array(await dump.arrayBuffer()));
  } finally {
    // A clean close checkpoints, so the files on disk are the whole cluster.
    await pg.close();
  }
}

function pgliteVersion(): string {
  const wasm = createRequire(import.meta.url).resolve('@electric-sql/pglite/pglite.wasm');
  const packageJson = JSON.parse(readFileSync(join(dirname(wasm), '..', 'package.json'), 'utf8')) as { version: string };
  return packageJson.version;
}

async function templateKey(): Promise<string> {
  const migrations = await loadMigrations();
  const content = JSON.stringify({ templateFormat, pglite: pgliteVersion(), migrations });
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

let template: Promise<Template> | null = null;

/** The template, built first if no current one exists. */
export function pgliteTemplate(): Promise<Template> {
  template ??= (async () => {
    const home = join(tmpdir(), `bazaary-pglite-template-${await templateKey()}`);
    const current = templateIn(home);
    if (existsSync(current.dump)) return current;
    const staging = mkdtempSync(`${home}-building-`);
    try {
      await buildPgliteTemplate(templateIn(staging));
      try {
        renameSync(staging, home);
      } catch (error) {
        // Another process put a whole template there first: use that one.
        if (!existsSync(current.dump)) throw error;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return current;
  })();
  return template;
}

/**
 * Puts a migrated PGlite cluster at `${dataDir}/pglite`, where openStores looks for it, unless
 * one is there already (a restart reopens its own data).
 */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const target = join(dataDir, 'pglite');
  if (existsSync(join(target, 'PG_VERSION'))) return;
  const { cluster } = await pgliteTemplate();
  mkdirSync(dataDir, { recursive: true });
  cpSync(cluster, target, { recursive: true });
}

/** A fresh copy of the migrated template in a temp directory, and how to delete it. */
export async function migratedPgliteCopy(): Promise<{ readonly dir: string; remove(): void }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bazaary-pglite-'));
  await seedPgliteDataDir(dataDir);
  return { dir: join(dataDir, 'pglite'), remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/**
 * An in-process, in-memory PGlite loaded from the template's dump: what `openPglite()` plus
 * `migrate` gives, in less than half the time (about 1 s against 2.5 s here).
 */
export async function openMigratedPglite(): Promise<Db> {
  const { dump } = await pgliteTemplate();
  const db = pgliteDb(await createPglite({ ...pgliteOptions(), loadDataDir: new Blob([readFileSync(dump)]) }));
  // Nothing to apply: the template is current. It still runs, as it does at every start.
  await migrate(db);
  return db;
}
