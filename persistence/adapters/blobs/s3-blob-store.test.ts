/**
 * The blob contract on S3BlobStore against s3rver, a fake S3 server from npm that runs in this
 * process, on a free port, over a temp directory. DESIGN.md §7: s3rver has no multipart uploads
 * (the store always passes the size) and never checks credentials, so signatures are not tested
 * here; s3-blob-store.int.test.ts runs the same contract on a real S3 or MinIO.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import type { S3BlobStoreOptions } from './s3-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

let server: S3rver;
let directory: string;
let endpoint: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'bazaary-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

function options(bucket: string): S3BlobStoreOptions {
  return { endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket };
}

// A fresh bucket per test, so each starts empty; S3BlobStore.open creates it.
describeBlobStoreContract(
  'S3BlobStore on s3rver',
  async () => {
    const store = await S3BlobStore.open(options(`test-${randomUUID().slice(0, 8)}`));
    return { store, cleanup: () => store.close() };
  },
  { tornOverwrites: 's3rver writes bytes and metadata as two files, so racing PUTs can tear; the int suite runs it on real S3' },
);

describe('S3BlobStore on s3rver', () => {
  it('serves a blob at its presigned URL with its content type', async () => {
    const store = await S3BlobStore.open(options('presigned'));
    const bytes = Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 0x0a, 0x0d]);
    await store.put('products/p1/main.jpg', bytes, 'image/jpeg');
    const url = await store.url('products/p1/main.jpg');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/presigned\/products\/p1\/main\.jpg\?.*X-Amz-Signature=/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });

  it('opens on a bucket that already exists, keeping its blobs', async () => {
    const first = await S3BlobStore.open(options('reopened'));
    await first.put('kept.txt', new TextEncoder().encode('still here'), 'text/plain');
    const [second, third] = await Promise.all([S3BlobStore.open(options('reopened')), S3BlobStore.open(options('reopened'))]);
    expect(new TextDecoder().decode((await second.get('kept.txt'))?.bytes)).toBe('still here');
    expect(await third.exists('kept.txt')).toBe(true);
  });
});
