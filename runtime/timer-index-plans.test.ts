/** The timer index's plan suite (timer-index-plans.fixtures.ts) on PGlite, the embedded default. */
import { openMigratedPglite } from '../persistence/adapters/testing/pglite-template.ts';
import { describeTimerIndexPlans } from './timer-index-plans.fixtures.ts';

describeTimerIndexPlans('timer index plans on a big timers table (PGlite)', openMigratedPglite, (db) => db.close());
