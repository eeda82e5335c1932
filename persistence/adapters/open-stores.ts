/**
 * Opens the stores a mode needs (DESIGN.md §6): each real service is switched on by its URL,
 * and without one the embedded PGlite holds everything, in a worker thread by default so the
 * database does not take the runtime's thread (pglite-worker.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { countingDb, type SqlCounts } from './counting-db.ts';
import type { Db } from './db.ts';
import { defaultPools, type DatabasePools } from './db-pools.ts';
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
  /** PostgreSQL's pools (db-pools.ts); `defaultPools` when absent. */
  readonly databasePools?: DatabasePools | undefined;
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
  /** The runtime's pool: journal, snapshots, loads, consumers, timers, mail (db-pools.ts). */
  readonly db: Db;
  /** The gateway's pool: what callers read and write outside the actors. Embedded, `db` itself. */
  readonly gatewayDb: Db;
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
    await Promise.all([db.close(), opened.gatewayDb?.close()]);
    throw error;
  }
  const snapshots = new SqlSnapshotStore(db);
  return {
    db,
    gatewayDb: opened.gatewayDb ?? db,
    journal,
    snapshots,
    streams: config.mongoUrl ? composedStreams(journal, snapshots) : new SqlStreams(db),
    sql: { counts: () => db.counts(), thread: opened.thread },
    async close() {
      // The journal first: its last batch may still need the database.
      try {
        await journal.close();
      } finally {
        await Promise.all([db.close(), opened.gatewayDb?.close()]);
      }
    },
  };
}

interface OpenedDb {
  readonly db: Db;
  /** PostgreSQL: the gateway's own pool (db-pools.ts). */
  readonly gatewayDb?: Db;
  readonly thread: DbThread | null;
  readonly migrated?: true;
}

async function openDb(config: StoresConfig): Promise<OpenedDb> {
  if (config.databaseUrl) {
    const pools = config.databasePools ?? defaultPools;
    const { sessionTimeouts } = config;
    if (sessionTimeouts !== undefined) {
      const migrations = await openPostgres(config.databaseUrl, { max: 1 });
      try {
        await migrate(migrations);
      } finally {
        await migrations.close();
      }
    }
    const timeouts = sessionTimeouts === undefined ? {} : { sessionTimeouts };
    const db = await openPostgres(config.databaseUrl, { max: pools.runtime, ...timeouts });
    const gatewayDb = await openPostgres(config.databaseUrl, { max: pools.gateway, ...timeouts });
    return { db, gatewayDb, thread: null, ...(sessionTimeouts === undefined ? {} : { migrated: true as const }) };
  }
  const pgliteDir = join(config.dataDir, 'pglite');
  await mkdir(pgliteDir, { recursive: true });
  if (config.embedded === 'in-process') return { db: await openPglite(pgliteDir), thread: null };
  const db = await openPgliteWorker(pgliteDir);
  return { db, thread: db.thread };
}
