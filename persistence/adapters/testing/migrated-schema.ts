/**
 * Runs a suite that takes `open` and `close` on the real PostgreSQL of DATABASE_URL, each run in a
 * throwaway schema, migrated, and dropped afterwards; without DATABASE_URL the suite is skipped and
 * says so.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { Db } from '../db.ts';
import { migrate } from '../migrate.ts';
import { openPostgres } from '../pg.ts';

export type SuiteOnDb = (name: string, open: () => Promise<Db>, close: (db: Db) => Promise<void>) => void;

export function onMigratedPostgresSchema(name: string, schemaPrefix: string, suite: SuiteOnDb): void {
  const databaseUrl = process.env['DATABASE_URL'] ?? '';
  if (databaseUrl === '') {
    describe(name, () => {
      it.skip('skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)', () => {});
    });
    return;
  }
  const schema = `${schemaPrefix}_${randomUUID().slice(0, 8)}`;
  suite(
    name,
    async () => {
      const db = await openPostgres(databaseUrl, { schema, max: 2 });
      await migrate(db);
      return db;
    },
    async (db) => {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  );
}
