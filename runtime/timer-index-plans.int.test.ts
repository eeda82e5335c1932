/** The timer index's plan suite (timer-index-plans.fixtures.ts) on a real PostgreSQL server, in a throwaway schema. */
import { onMigratedPostgresSchema } from '../persistence/adapters/testing/migrated-schema.ts';
import { describeTimerIndexPlans } from './timer-index-plans.fixtures.ts';

onMigratedPostgresSchema('timer index plans on a big timers table (PostgreSQL)', 'test_timer_plans', describeTimerIndexPlans);
