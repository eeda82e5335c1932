/**
 * Test harness: an in-process PGlite with the schema applied, and a runtime over it.
 * One PGlite per test file (it takes seconds to start); `reset()` empties it between tests.
 */
import type { Db } from '../../persistence/adapters/db.ts';
import type { Journal } from '../../persistence/adapters/journal.ts';
import { truncateReadModels } from '../../persistence/projections/readmodels/consumer.ts';
import { openMigratedPglite } from '../../persistence/adapters/testing/pglite-template.ts';
import { SqlJournal } from '../../persistence/adapters/sql-journal.ts';
import { SqlSnapshotStore } from '../../persistence/adapters/sql-snapshots.ts';
import type { SnapshotStore } from '../../persistence/adapters/snapshots.ts';
import { VirtualClock } from '../clock.ts';
import type { EntityDeps } from '../entity.ts';
import { limits, type Limits } from '../limits.ts';
import { silentLogger } from '../logger.ts';
import { ActorRuntime } from '../runtime.ts';
import { SqlStreams } from '../../persistence/adapters/sql-streams.ts';
import type { StreamReader } from '../../persistence/adapters/streams.ts';

export interface Harness {
  readonly db: Db;
  readonly journal: SqlJournal;
  readonly snapshots: SqlSnapshotStore;
  readonly clock: VirtualClock;
  runtime(overrides?: Partial<Limits>, stores?: { journal?: Journal; snapshots?: SnapshotStore; streams?: StreamReader }): ActorRuntime;
  /** A runtime the test built itself (say, with an ownership), stopped at `reset` and `close` like the harness's own. */
  adopt(runtime: ActorRuntime): ActorRuntime;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const db = await openMigratedPglite();
  const journal = new SqlJournal(db, { batching: true, maxBatch: limits.journalMaxBatch, maxWaitMs: 0 });
  const snapshots = new SqlSnapshotStore(db);
  const clock = new VirtualClock();
  const runtimes: ActorRuntime[] = [];
  return {
    db,
    journal,
    snapshots,
    clock,
    runtime(overrides = {}, stores = {}) {
      const deps: EntityDeps = {
        journal: stores.journal ?? journal,
        snapshots: stores.snapshots ?? snapshots,
        // One statement per load on the harness's own stores, as a system on SQL runs; a test
        // that brings its own journal or snapshots loads through them.
        ...(stores.streams !== undefined ? { streams: stores.streams } : stores.journal === undefined && stores.snapshots === undefined ? { streams: new SqlStreams(db) } : {}),
        clock,
        limits: { ...limits, passivationSweepMs: 3_600_000, ...overrides },
        logger: silentLogger,
      };
      const runtime = new ActorRuntime(deps);
      runtimes.push(runtime);
      return runtime;
    },
    adopt(runtime) {
      runtimes.push(runtime);
      return runtime;
    },
    async reset() {
      for (const runtime of runtimes.splice(0)) runtime.stop();
      await db.query('TRUNCATE journal, snapshots, timers');
      await truncateReadModels(db);
    },
    async close() {
      for (const runtime of runtimes.splice(0)) runtime.stop();
      await journal.close();
      await db.close();
    },
  };
}
