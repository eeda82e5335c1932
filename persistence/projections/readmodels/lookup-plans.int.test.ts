/** The lookup-plan suite (lookup-plans.fixtures.ts) on a real PostgreSQL server, in a throwaway schema. */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { migrate } from '../../adapters/migrate.ts';
import { openPostgres } from '../../adapters/pg.ts';
import { describeLookupPlans } from './lookup-plans.fixtures.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
const schema = `test_lookup_plans_${randomUUID().slice(0, 8)}`;

if (databaseUrl === '') {
  describe('lookups by key on big tables (PostgreSQL)', () => {
    it.skip('skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)', () => {});
  });
} else {
  describeLookupPlans(
    'lookups by key on big tables (PostgreSQL)',
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
