/** The timer index's plan suite (timer-index-plans.fixtures.ts) on a real PostgreSQL server, in a throwaway schema. */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { migrate } from '../persistence/adapters/migrate.ts';
import { openPostgres } from '../persistence/adapters/pg.ts';
import { describeTimerIndexPlans } from './timer-index-plans.fixtures.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
const schema = `test_timer_plans_${randomUUID().slice(0, 8)}`;

if (databaseUrl === '') {
  describe('timer index plans on a big timers table (PostgreSQL)', () => {
    it.skip('skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)', () => {});
  });
} else {
  describeTimerIndexPlans(
    'timer index plans on a big timers table (PostgreSQL)',
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
