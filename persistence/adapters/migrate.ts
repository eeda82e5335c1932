/**
 * Schema migrations: every `NNN_name.sql` in ./migrations, applied once each, in order.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './db.ts';
import { splitSqlStatements } from './sql-statements.ts';

export interface Migration {
  /** The file's number (`001`); it alone identifies the migration, so renaming a file is safe
   *  and two files with one number are refused instead of both being applied. */
  readonly version: string;
  readonly fileName: string;
  readonly statements: readonly string[];
}

const migrationsDir = new URL('./migrations/', import.meta.url);
const fileNamePattern = /^(\d{3})_[a-z0-9_]+\.sql$/;

/** Reads the migration files, sorted by version. Other files in the folder are ignored. */
export async function loadMigrations(dir: URL = migrationsDir): Promise<Migration[]> {
  const fileNames = (await readdir(dir)).filter((name) => fileNamePattern.test(name)).sort();
  const migrations: Migration[] = [];
  for (const fileName of fileNames) {
    const version = fileNamePattern.exec(fileName)?.[1];
    if (version === undefined) throw new Error(`unreachable: ${fileName} matched the pattern`);
    const previous = migrations.at(-1);
    if (previous?.version === version) {
      throw new Error(`migrations ${previous.fileName} and ${fileName} share version ${version}`);
    }
    const statements = splitSqlStatements(await readFile(new URL(fileName, dir), 'utf8'));
    if (statements.length === 0) throw new Error(`migration ${fileName} holds no statement`);
    migrations.push({ version, fileName, statements });
  }
  return migrations;
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own transaction,
 * and returns the versions it applied (none when the schema is current).
 */
export async function migrate(db: Db, migrations?: readonly Migration[]): Promise<string[]> {
  const applied: string[] = [];
  for (const migration of migrations ?? (await loadMigrations())) {
    if (await applyOnce(db, migration)) applied.push(migration.version);
  }
  return applied;
}

async function applyOnce(db: Db, migration: Migration): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Two processes starting together queue here instead of both applying the file. The lock
    // is per schema, so integration tests in throwaway schemas don't wait for each other.
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtext('bazaary.migrate'), hashtext(coalesce(current_schema(), '')))`,
    );
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
    if (done.length > 0) return false;
    for (const statement of migration.statements) await tx.query(statement);
    await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
    return true;
  });
}
