/**
 * Opens the stores a mode needs (DESIGN.md §6): each real service is switched on by its URL,
 * and without one the embedded PGlite holds everything.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from './db.ts';
import type { GroupCommitStats } from './group-commit.ts';
import type { GroupCommitOptions, Journal } from './journal.ts';
import { migrate } from './migrate.ts';
import { openMongoJournal } from './mongo-journal.ts';
import { openPostgres } from './pg.ts';
import { openPglite } from './pglite.ts';
import { SqlJournal } from './sql-journal.ts';
import { SqlSnapshotStore } from './sql-snapshots.ts';
import type { SnapshotStore } from './snapshots.ts';

export interface StoresConfig {
  /** PostgreSQL; without it, PGlite in `${dataDir}/pglite`. */
  readonly databaseUrl?: string | undefined;
  /** MongoDB for the journal; without it, the journal lives in the SQL database. */
  readonly mongoUrl?: string | undefined;
  readonly mongoDb?: string | undefined;
  readonly dataDir: string;
  readonly journal: GroupCommitOptions;
}

/** A journal that also reports its group-commit counters (for /metrics). */
export type MeteredJournal = Journal & { stats(): GroupCommitStats };

export interface Stores {
  readonly db: Db;
  readonly journal: MeteredJournal;
  readonly snapshots: SnapshotStore;
  /** Writes pending appends, then closes the journal and the database. */
  close(): Promise<void>;
}

const defaultMongoDb = 'bazaary';

export async function openStores(config: StoresConfig): Promise<Stores> {
  const db = await openDb(config);
  let journal: MeteredJournal;
  try {
    await migrate(db);
    journal = config.mongoUrl
      ? await openMongoJournal(config.mongoUrl, config.mongoDb ?? defaultMongoDb, config.journal)
      : new SqlJournal(db, config.journal);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    db,
    journal,
    snapshots: new SqlSnapshotStore(db),
    async close() {
      // The journal first: its last batch may still need the database.
      try {
        await journal.close();
      } finally {
        await db.close();
      }
    },
  };
}

async function openDb(config: StoresConfig): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  const pgliteDir = join(config.dataDir, 'pglite');
  await mkdir(pgliteDir, { recursive: true });
  return openPglite(pgliteDir);
}
