/**
 * Reading rows by a list of ids. Every statement with parameters runs as a prepared statement
 * (postgres.js; PGlite through pglite-prepared.ts), and after five custom plans PostgreSQL keeps a
 * generic plan for the connection until the table's next ANALYZE, which PGlite never runs and
 * PostgreSQL runs only when autovacuum comes (and never where it is off). Made while a table was
 * small, the plan of `id = ANY($1)` is a scan of the whole table with the list as a filter, and it
 * stays as the table grows: the timer index's cancel reached 17 ms a round, the mail consumer's
 * parties 12 ms, in a 30-s checkout run on PostgreSQL (issue #13, README's ninth round).
 *
 * So a list is read one key at a time: `FROM ${distinctIds()} CROSS JOIN LATERAL (SELECT … FROM t
 * WHERE t.id = k.id OFFSET 0) x`. Each probe is planned on its own, and against a single key an
 * index beats a scan at any table size; OFFSET 0 keeps the planner from flattening it into a join
 * it could hash. An UPDATE cannot reach its target that way (023_timer_stamps.sql says what it
 * does instead). The plan suites check the plans cached at 20 rows
 * (persistence/projections/readmodels/lookup-plans.fixtures.ts, runtime/timer-index-plans.fixtures.ts).
 */

/** The distinct ids of a text[] parameter, as rows `k(id)` to probe from. */
export function distinctIds(parameter = '$1'): string {
  return `(SELECT DISTINCT k.id FROM unnest(${parameter}::text[]) AS k(id)) k`;
}
