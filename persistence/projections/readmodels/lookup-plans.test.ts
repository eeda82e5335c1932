/** The lookup-plan suite (lookup-plans.fixtures.ts) on PGlite, the embedded default. */
import { openMigratedPglite } from '../../adapters/testing/pglite-template.ts';
import { describeLookupPlans } from './lookup-plans.fixtures.ts';

describeLookupPlans('lookups by key on big tables (PGlite)', openMigratedPglite, (db) => db.close());
