/**
 * Vitest global setup: makes sure a current migrated PGlite template exists before any test
 * worker starts, so two workers never build it at once (pglite-template.ts).
 */
import { pgliteTemplate } from './pglite-template.ts';

export default async function setup(): Promise<void> {
  await pgliteTemplate();
}
