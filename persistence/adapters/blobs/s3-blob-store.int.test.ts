/**
 * The blob contract on a real S3 or MinIO (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, optional
 * S3_REGION). There is no such server on the development machines (DESIGN.md §7), so there this
 * file reports itself skipped; s3-blob-store.test.ts covers the adapter against s3rver instead.
 * The run uses its own bucket, emptied before every test and removed at the end.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import type { S3BlobStoreOptions } from './s3-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

const endpoint = process.env['S3_ENDPOINT'] ?? '';
if (endpoint === '') {
  console.warn('s3-blob-store.int.test.ts skipped: S3_ENDPOINT is not set (no S3 or MinIO server on this machine)');
}

describe.skipIf(endpoint === '')('S3 blob store', () => {
  const options: S3BlobStoreOptions = {
    endpoint,
    accessKey: process.env['S3_ACCESS_KEY'] ?? '',
    secretKey: process.env['S3_SECRET_KEY'] ?? '',
    bucket: `bazaary-test-${randomUUID().slice(0, 8)}`,
    ...(process.env['S3_REGION'] === undefined ? {} : { region: process.env['S3_REGION'] }),
  };
  let admin: Client;

  async function emptyBucket(): Promise<void> {
    const names: string[] = [];
    for await (const item of admin.listObjectsV2(options.bucket, '', true)) if (item.name !== undefined) names.push(item.name);
    if (names.length > 0) await admin.removeObjects(options.bucket, names);
  }

  beforeAll(async () => {
    const url = new URL(endpoint);
    admin = new Client({
      endPoint: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      useSSL: url.protocol === 'https:',
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region ?? 'us-east-1',
      pathStyle: true,
    });
    await S3BlobStore.open(options);
  });

  afterAll(async () => {
    await emptyBucket();
    await admin.removeBucket(options.bucket);
  });

  describeBlobStoreContract('S3BlobStore', async () => {
    await emptyBucket();
    const store = await S3BlobStore.open(options);
    return { store, cleanup: () => store.close() };
  });

  it('serves a blob at its presigned URL, and refuses a tampered signature', async () => {
    const store = await S3BlobStore.open(options);
    await store.put('presigned/photo.png', Uint8Array.from([0x89, 0x50]), 'image/png');
    const url = await store.url('presigned/photo.png');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(Uint8Array.from([0x89, 0x50]));
    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_, first: string) => `X-Amz-Signature=${first === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
  });
});
