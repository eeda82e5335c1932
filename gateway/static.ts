/**
 * Serves the built storefront (vite build → STOREFRONT_DIR): hashed assets with a long cache,
 * and index.html for every other GET that is not an API path, so client-side routes load.
 * Paths are resolved inside the directory only; `..` and absolute tricks cannot leave it.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ApiResponse } from './http.ts';
import { errorResponse } from './http.ts';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const notBuiltPage = `<!doctype html><meta charset="utf-8"><title>Bazaary</title>
<h1>Bazaary API is running</h1><p>The storefront is not built. Run <code>npm run build:storefront</code> and restart, or open <a href="/api/openapi.json">the API description</a>.</p>`;

export function createStaticFiles(directory: string): (path: string) => Promise<ApiResponse> {
  const root = resolve(directory);

  async function file(path: string): Promise<{ bytes: Uint8Array; type: string } | null> {
    const target = normalize(join(root, path));
    if (target !== root && !target.startsWith(root + sep)) return null;
    try {
      if (!(await stat(target)).isFile()) return null;
      return { bytes: await readFile(target), type: contentTypes[extname(target)] ?? 'application/octet-stream' };
    } catch {
      return null;
    }
  }

  return async (path) => {
    if (path.startsWith('/api/')) return errorResponse(404, 'not_found', `no route for ${path.slice(0, 200)}`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return errorResponse(400, 'invalid_request', 'the path is not valid URL encoding');
    }
    const found = decoded === '/' ? null : await file(decoded);
    if (found !== null) {
      const cache = decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      return { status: 200, headers: { 'Cache-Control': cache }, body: { kind: 'bytes', bytes: found.bytes, contentType: found.type } };
    }
    const index = await file('/index.html');
    if (index === null) return { status: 200, body: { kind: 'text', text: notBuiltPage, contentType: 'text/html; charset=utf-8' } };
    return { status: 200, headers: { 'Cache-Control': 'no-cache' }, body: { kind: 'bytes', bytes: index.bytes, contentType: index.type } };
  };
}
