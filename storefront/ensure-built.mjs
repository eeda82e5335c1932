/**
 * Runs before `npm start` (prestart): builds the storefront when storefront/dist/index.html is
 * missing or older than any of its sources, so a fresh clone serves the UI. When the build is
 * current it prints nothing and exits 0. Plain Node ESM with no dependencies, so it works before
 * anything else of the project is loaded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const storefront = dirname(fileURLToPath(import.meta.url));
const projectRoot = dirname(storefront);
const builtIndex = join(storefront, 'dist', 'index.html');
const sources = [join(storefront, 'src'), join(storefront, 'public'), join(storefront, 'index.html'), join(storefront, 'vite.config.ts'), join(storefront, 'uno.config.ts'), join(storefront, 'short-class-names.ts')];

/** The newest modification time under a file or directory (0 when it does not exist). */
function newestMtimeMs(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

function isCurrent() {
  if (!existsSync(builtIndex)) return false;
  const builtAt = statSync(builtIndex).mtimeMs;
  return sources.every((source) => newestMtimeMs(source) <= builtAt);
}

if (!isCurrent()) {
  console.log('storefront: building (dist is missing or older than its sources)…');
  const vite = join(projectRoot, 'node_modules', '.bin', 'vite');
  const result = spawnSync(vite, ['build', '--config', 'storefront/vite.config.ts'], { cwd: projectRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`storefront: the build failed (exit ${result.status ?? result.signal}); fix it or run \`npm run build:storefront\` to see why.`);
    process.exit(result.status ?? 1);
  }
}
