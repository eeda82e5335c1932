/**
 * Opens the stores a mode needs (DESIGN.md §6): each real service is switched on by its URL,
 * and without one the embedded PGlite holds everything, in a worker thread by default so the
 * database does not take the runtime's thread (pglite-worker.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { countingDb, type SqlCounts } from './counting-db.ts';
import type { Db } from './db.ts';
import type { GroupCommitStats } from './group-commit.ts';
import type { GroupCommitOptions, Journal } from './journal.ts';
import { migrate } from './migrate.ts';
import { openMongoJournal } from './mongo-journal.ts';
import { openPostgres, type SessionTimeouts } from './pg.ts';
import { openPglite } from './pglite.ts';
import { openPgliteWorker, type DbThread } from './pglite-worker.ts';
import { SqlJournal } from './sql-journal.ts';
import { SqlSnapshotStore } from './sql-snapshots.ts';
import type { SnapshotStore } from './snapshots.ts';
import { SqlStreams } from './sql-streams.ts';
import { composedStreams, type StreamReader } from './streams.ts';

export interface StoresConfig {
  /** PostgreSQL; without it, PGlite in `${dataDir}/pglite`. */
  readonly databaseUrl?: string | undefined;
  /** MongoDB for the journal; without it, the journal lives in the SQL database. */
  readonly mongoUrl?: string | undefined;
  readonly mongoDb?: string | undefined;
  readonly dataDir: string;
  readonly journal: GroupCommitOptions;
  /** Where embedded PGlite runs: its own thread (the default), or the caller's thread, which
   *  costs no thread start and suits small tools and tests. */
  readonly embedded?: 'worker' | 'in-process';
  /** PostgreSQL only: server-side limits for the runtime's connections (cluster mode,
   *  shard-leases.ts `clusterSessionTimeouts`). Migrations then run on a pool of their own
   *  without them: a DDL statement may wait on a lock longer than half a lease, and must. */
  readonly sessionTimeouts?: SessionTimeouts | undefined;
}

/** What the stores' SQL costs, for benchmarks and diagnostics. */
export interface SqlMeter {
  /** Statements and transactions sent so far (counting-db.ts). */
  counts(): SqlCounts;
  /** The database's own thread when embedded PGlite runs in a worker, otherwise null. */
  readonly thread: DbThread | null;
}

/** A journal that also reports its group-commit counters (for /metrics). */
export type MeteredJournal = Journal & { stats(): GroupCommitStats };

export interface Stores {
  readonly db: Db;
  readonly journal: MeteredJournal;
  readonly snapshots: SnapshotStore;
  /** Loads actors' streams: one statement on SQL, the journal's and the snapshots' reads with MongoDB. */
  readonly streams: StreamReader;
  readonly sql: SqlMeter;
  /** Writes pending appends, then closes the journal and the database. */
  close(): Promise<void>;
}

const defaultMongoDb = 'bazaary';

export async function openStores(config: StoresConfig): Promise<Stores> {
  const opened = await openDb(config);
  const db = countingDb(opened.db);
  let journal: MeteredJournal;
  try {
    if (!opened.migrated) await migrate(db);
    journal = config.mongoUrl
      ? await openMongoJournal(config.mongoUrl, config.mongoDb ?? defaultMongoDb, config.journal)
      : new SqlJournal(db, config.journal);
  } catch (error) {
    await db.close();
    throw error;
  }
  const snapshots = new SqlSnapshotStore(db);
  return {
    db,
    journal,
    snapshots,
    streams: config.mongoUrl ? composedStreams(journal, snapshots) : new SqlStreams(db),
    sql: { counts: () => db.counts(), thread: opened.thread },
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

async function openDb(config: StoresConfig): Promise<{ db: Db; thread: DbThread | null; migrated?: true }> {
  if (config.databaseUrl && config.sessionTimeouts !== undefined) {
    const migrations = await openPostgres(config.databaseUrl, { max: 1 });
    try {
      await migrate(migrations);
    } finally {
      await migrations.close();
    }
    return { db: await openPostgres(config.databaseUrl, { sessionTimeouts: config.sessionTimeouts }), thread: null, migrated: true };
  }
  if (config.databaseUrl) return { db: await openPostgres(config.databaseUrl), thread: null };
  const pgliteDir = join(config.dataDir, 'pglite');
  await mkdir(pgliteDir, { recursive: true });
  if (config.embedded === 'in-process') return { db: await openPglite(pgliteDir), thread: null };
  const db = await openPgliteWorker(pgliteDir);
  return { db, thread: db.thread };
}
