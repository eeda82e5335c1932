/**
 * PostgreSQL's connection pools, one per job (DESIGN.md §1): the runtime's and the gateway's.
 *
 * - **The runtime's pool** carries the ordered log's batches, actor loads, snapshots, the
 *   consumers and the timers. It is small on purpose: measured on the checkout benchmark (issue
 *   #13, README "Eleventh round"), 2 connections instead of 10 cost PostgreSQL 15–25% less CPU
 *   per order and raised orders/s, as fewer backends take turns on the cores and postgres.js
 *   sends more statements per write on each connection (it pipelines on a busy one).
 * - **The gateway's pool** carries what HTTP and WebSocket callers read and write outside the
 *   actors (read models, accounts and sessions, command replies, operator queries), so a burst
 *   of them never queues a journal batch behind it, and the runtime's pool stays small.
 *
 * Embedded PGlite is one connection, shared by both.
 */
export interface DatabasePools {
  /** Connections of the runtime's pool (DATABASE_POOL). */
  readonly runtime: number;
  /** Connections of the gateway's pool (DATABASE_GATEWAY_POOL). */
  readonly gateway: number;
}

export const defaultPools: DatabasePools = { runtime: 2, gateway: 8 };
