/**
 * Vitest global setup: builds the migrated PGlite template once per run, before any test file,
 * and names it to the test workers in the environment (pglite-template.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPgliteTemplate, templateEnv } from './pglite-template.ts';

export default async function setup(): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'bazaary-pglite-template-'));
  const dir = join(root, 'pglite');
  await buildPgliteTemplate(dir);
  process.env[templateEnv] = dir;
  return () => rmSync(root, { recursive: true, force: true });
}
