/** Readiness of the SQL store, as /readyz reports it. */
import type { Db } from './db.ts';

/** `ok`, or why the store does not answer (at most 200 characters, no stack). */
export async function checkDb(db: Pick<Db, 'query'>): Promise<string> {
  try {
    await db.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message.slice(0, 200) : 'failed';
  }
}
