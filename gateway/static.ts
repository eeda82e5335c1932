/**
 * Serves the built storefront (vite build → STOREFRONT_DIR): hashed assets with a long cache,
 * and index.html for every other GET that is not an API path, so client-side routes load.
 * Paths are resolved inside the directory only; `..` and absolute tricks cannot leave it.
 * Text files (HTML, JS, CSS, SVG, JSON) are gzipped once per file version and kept in memory, so
 * a browser that accepts gzip downloads about a third of the bytes.
 */
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
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

/** Below this a file is sent as it is: gzip's header and the CPU cost outweigh the saving. */
const gzipMinBytes = 1_024;
/** Gzipped files kept in memory. A build has a few dozen; old versions of a file replace themselves. */
const gzipCacheMaxFiles = 256;

function isCompressible(type: string): boolean {
  return type.startsWith('text/') || type.startsWith('image/svg') || type.startsWith('application/json') || type.startsWith('application/manifest');
}

interface StaticFile {
  readonly bytes: Uint8Array;
  readonly type: string;
  readonly gzipped: Uint8Array | undefined;
}

export function createStaticFiles(directory: string): (path: string) => Promise<ApiResponse> {
  const root = resolve(directory);
  const gzipCache = new Map<string, { version: string; gzipped: Uint8Array }>();

  function gzipOnce(target: string, version: string, bytes: Uint8Array): Uint8Array {
    const cached = gzipCache.get(target);
    if (cached !== undefined && cached.version === version) return cached.gzipped;
    const gzipped = gzipSync(bytes);
    gzipCache.delete(target);
    if (gzipCache.size >= gzipCacheMaxFiles) gzipCache.delete(gzipCache.keys().next().value ?? '');
    gzipCache.set(target, { version, gzipped });
    return gzipped;
  }

  async function file(path: string): Promise<StaticFile | null> {
    const target = normalize(join(root, path));
    if (target !== root && !target.startsWith(root + sep)) return null;
    try {
      const info = await stat(target);
      if (!info.isFile()) return null;
      const bytes = await readFile(target);
      const type = contentTypes[extname(target)] ?? 'application/octet-stream';
      const compress = isCompressible(type) && bytes.length >= gzipMinBytes;
      return { bytes, type, gzipped: compress ? gzipOnce(target, `${info.mtimeMs}:${info.size}`, bytes) : undefined };
    } catch {
      return null;
    }
  }

  function served(found: StaticFile, cacheControl: string): ApiResponse {
    const body = { kind: 'bytes' as const, bytes: found.bytes, contentType: found.type };
    return { status: 200, headers: { 'Cache-Control': cacheControl }, body: found.gzipped === undefined ? body : { ...body, gzipped: found.gzipped } };
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
      return served(found, decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    const index = await file('/index.html');
    if (index === null) return { status: 200, body: { kind: 'text', text: notBuiltPage, contentType: 'text/html; charset=utf-8' } };
    return served(index, 'no-cache');
  };
}
