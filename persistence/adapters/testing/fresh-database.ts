/**
 * A throwaway PostgreSQL database on a server: for tests whose gateway processes must share one
 * store, and for benchmarks whose system takes no schema. `drop()` may be called more than once
 * (a finally and an interrupt handler); WITH (FORCE) ends connections still open to it.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createFreshDatabase(serverUrl: string, purpose: string): Promise<FreshDatabase> {
  const name = `${purpose}_${randomUUID().slice(0, 8)}`;
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`${name} is not a plain database name`);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | null = null;
  return {
    name,
    url: url.toString(),
    drop() {
      dropped ??= (async () => {
        try {
          await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      })();
      return dropped;
    },
  };
}
