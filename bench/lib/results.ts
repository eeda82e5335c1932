/** Writes a benchmark's result as pretty JSON to bench/results/<name>.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const resultsDir = new URL('../results/', import.meta.url);

export async function writeResult(name: string, result: unknown): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = new URL(`${name}.json`, resultsDir);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return fileURLToPath(file);
}
