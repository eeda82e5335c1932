/** A throwaway PostgreSQL database for tests whose gateway processes must share one store. */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

export interface FreshDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function createFreshDatabase(serverUrl: string, purpose: string): Promise<FreshDatabase> {
  const name = `test_${purpose}_${randomUUID().slice(0, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
