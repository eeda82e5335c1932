/** The lookup-plan suite (lookup-plans.fixtures.ts) on a real PostgreSQL server, in a throwaway schema. */
import { onMigratedPostgresSchema } from '../../adapters/testing/migrated-schema.ts';
import { describeLookupPlans } from './lookup-plans.fixtures.ts';

onMigratedPostgresSchema('lookups by key on big tables (PostgreSQL)', 'test_lookup_plans', describeLookupPlans);
