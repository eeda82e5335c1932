/**
 * One seed's world: a fresh database on the proof's private PostgreSQL, migrated, with two
 * records only the proof adds (below), a proxy per node (db-proxy.ts) and three nodes
 * (nodes.ts). A fresh database and fresh nodes per seed, so each seed's checks see its own
 * journal only.
 *
 * Journal rows carry shard, epoch and shard_seq but not the node that wrote them, and
 * shard_leases keeps only the current grant of each shard. To check that each (shard, epoch) was
 * written by one node only, and by the node it was granted to, the proof adds to its own database:
 * - `journal.writer`, defaulting to the inserting session's `application_name`: the database
 *   itself records which node's connection inserted each row (the insert names its columns, so
 *   the node's statement is unchanged);
 * - `proof_lease_grants`, filled by a trigger on shard_leases: every (shard, epoch) granted, and
 *   to whom, as the claim statement wrote it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { migrate } from '../../../persistence/adapters/migrate.ts';
import { openPostgres } from '../../../persistence/adapters/pg.ts';
import { freePort } from '../../../persistence/adapters/testing/free-port.ts';
import { startDbProxy, type DbProxy } from './db-proxy.ts';
import { GatewayNode } from './nodes.ts';

export const nodeIds = ['a', 'b', 'c'] as const;

const proofRecordsSql = `
  ALTER TABLE journal ADD COLUMN writer text DEFAULT current_setting('application_name');
  ALTER TABLE timers ADD COLUMN indexed_by text DEFAULT current_setting('application_name');
  CREATE TABLE proof_lease_grants (shard integer NOT NULL, epoch bigint NOT NULL, owner text NOT NULL, granted_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (shard, epoch));
  CREATE FUNCTION proof_record_grant() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.owner IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.epoch <> OLD.epoch) THEN
      INSERT INTO proof_lease_grants (shard, epoch, owner) VALUES (NEW.shard, NEW.epoch, NEW.owner);
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER proof_record_grant AFTER INSERT OR UPDATE ON shard_leases FOR EACH ROW EXECUTE FUNCTION proof_record_grant();`;

export interface ClusterWorld {
  readonly database: string;
  /** The seed's database, directly (not through a proxy). */
  readonly url: string;
  /** The proof's own connection to the seed's database (not through any proxy). */
  readonly sql: postgres.Sql;
  readonly nodes: readonly GatewayNode[];
  readonly proxies: ReadonlyMap<string, DbProxy>;
  node(id: string): GatewayNode;
  close(): Promise<void>;
}

export async function openClusterWorld(serverUrl: string, seed: number): Promise<ClusterWorld> {
  const database = `proof_seed_${seed}_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const db = await openPostgres(url.toString(), { max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  const sql = postgres(url.toString(), { max: 4, onnotice: () => {}, connection: { application_name: 'cluster-proof' } });
  await sql.unsafe(proofRecordsSql);

  const dataDir = await mkdtemp(join(tmpdir(), `bazaary-cluster-proof-${seed}-`));
  const proxies = new Map<string, DbProxy>();
  const nodes: GatewayNode[] = [];
  for (const id of nodeIds) {
    const proxy = await startDbProxy(Number(url.port));
    proxies.set(id, proxy);
    nodes.push(new GatewayNode({ id, proxyPort: proxy.port, database, dataDir: join(dataDir, id), logFile: join(dataDir, `${id}.log`), httpPort: await freePort(), clusterPort: await freePort() }));
  }
  return {
    database,
    url: url.toString(),
    sql,
    nodes,
    proxies,
    node(id) {
      const found = nodes.find((node) => node.id === id);
      if (found === undefined) throw new Error(`no node ${id}`);
      return found;
    },
    async close() {
      await Promise.all(nodes.map((node) => node.stop(5_000)));
      for (const node of nodes) node.closeLog();
      for (const proxy of proxies.values()) await proxy.close();
      await sql.end({ timeout: 5 });
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).finally(() => dropper.end());
      if (process.env['CLUSTER_PROOF_KEEP_LOGS'] === undefined) await rm(dataDir, { recursive: true, force: true });
      else process.stdout.write(`cluster proof: node logs kept in ${dataDir}\n`);
    },
  };
}
