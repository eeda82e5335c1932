import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from './http.ts';
import { createStaticFiles } from './static.ts';

let directory: string;
let serve: (path: string) => Promise<ApiResponse>;
const script = 'export const answer = 42;\n'.repeat(200);

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'bazaary-static-'));
  await mkdir(join(directory, 'assets'));
  await writeFile(join(directory, 'index.html'), '<!doctype html><title>Bazaary</title>');
  await writeFile(join(directory, 'assets', 'app-1a2b.js'), script);
  await writeFile(join(directory, 'assets', 'logo.png'), Buffer.alloc(4_096, 7));
  serve = createStaticFiles(directory);
});
afterAll(async () => rm(directory, { recursive: true, force: true }));

function bytesOf(response: ApiResponse) {
  if (response.body.kind !== 'bytes') throw new Error(`expected bytes, got ${response.body.kind}`);
  return response.body;
}

describe('static storefront files', () => {
  it('serves hashed assets with a year-long immutable cache and a gzipped copy of text', async () => {
    const response = await serve('/assets/app-1a2b.js');
    expect(response.headers?.['Cache-Control']).toContain('immutable');
    const body = bytesOf(response);
    expect(Buffer.from(body.bytes).toString()).toBe(script);
    expect(body.gzipped).toBeDefined();
    expect(gunzipSync(body.gzipped ?? new Uint8Array()).toString()).toBe(script);
    expect(body.gzipped?.length).toBeLessThan(body.bytes.length / 3);
  });

  it('compresses a file again when it changes, and never images or small files', async () => {
    const first = bytesOf(await serve('/assets/app-1a2b.js')).gzipped;
    await writeFile(join(directory, 'assets', 'app-1a2b.js'), `${script}// changed\n`);
    await utimes(join(directory, 'assets', 'app-1a2b.js'), new Date(), new Date(Date.now() + 5_000));
    const second = bytesOf(await serve('/assets/app-1a2b.js')).gzipped;
    expect(gunzipSync(second ?? new Uint8Array()).toString()).toBe(`${script}// changed\n`);
    expect(second).not.toEqual(first);
    expect(bytesOf(await serve('/assets/logo.png')).gzipped).toBeUndefined();
    expect(bytesOf(await serve('/index.html')).gzipped).toBeUndefined();
  });

  it('answers client-side routes with index.html, and refuses to leave the directory', async () => {
    expect(Buffer.from(bytesOf(await serve('/orders/123')).bytes).toString()).toContain('<title>Bazaary</title>');
    const escaped = await serve('/..%2f..%2fetc%2fpasswd');
    expect(Buffer.from(bytesOf(escaped).bytes).toString()).toContain('<title>Bazaary</title>');
    expect((await serve('/api/nothing')).status).toBe(404);
    expect((await serve('/%E0%A4%A')).status).toBe(400);
  });
});
