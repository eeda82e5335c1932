/**
 * The blob contract on the local directory store, in a temp directory per test, plus what only
 * the file layout shows: nothing escapes the directory, writes leave no temp file, and a
 * reopened store reads what an earlier one wrote.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import { LocalBlobStore } from './local-blob-store.ts';

async function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'bazaary-blobs-'));
}

describeBlobStoreContract('LocalBlobStore', async () => {
  const directory = await temporaryDirectory();
  const store = await LocalBlobStore.open({ directory: join(directory, 'blobs'), publicPath: '/blobs' });
  return { store, cleanup: () => rm(directory, { recursive: true, force: true }) };
});

describe('LocalBlobStore files', () => {
  let directory: string;
  let blobsDirectory: string;

  beforeEach(async () => {
    directory = await temporaryDirectory();
    blobsDirectory = join(directory, 'data', 'blobs');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps every file inside its directory, with no temp file left behind', async () => {
    const store = await LocalBlobStore.open({ directory: blobsDirectory, publicPath: '/blobs/' });
    await store.put('products/p1/main.jpg', new Uint8Array([1, 2]), 'image/jpeg');
    await store.put('products/p1/main.jpg', new Uint8Array([3]), 'image/jpeg');
    await store.put('products', new Uint8Array([4]), 'text/plain');
    const files = (await readdir(directory, { recursive: true })).sort();
    expect(files).toEqual(['data', 'data/blobs', 'data/blobs/products', 'data/blobs/products/p1', 'data/blobs/products/p1/main.jpg~blob', 'data/blobs/products~blob']);
    expect(await readFile(join(blobsDirectory, 'products~blob'), 'latin1')).toBe('BZB1 text/plain\n\u0004');
    expect(await store.url('products/p1/main.jpg')).toBe('/blobs/products/p1/main.jpg');
  });

  it('reads what an earlier store over the same directory wrote', async () => {
    const first = await LocalBlobStore.open({ directory: blobsDirectory, publicPath: '/blobs' });
    await first.put('kept.png', new Uint8Array([9, 8, 7]), 'image/png');
    await first.close();
    const second = await LocalBlobStore.open({ directory: blobsDirectory, publicPath: '/blobs' });
    expect(await second.get('kept.png')).toEqual({ bytes: new Uint8Array([9, 8, 7]), contentType: 'image/png' });
  });

  it('refuses to read a file that is not in blob format', async () => {
    const store = await LocalBlobStore.open({ directory: blobsDirectory, publicPath: '/blobs' });
    await writeFile(join(blobsDirectory, 'foreign~blob'), 'no header here');
    await expect(store.get('foreign')).rejects.toThrow(/not a blob file/);
  });
});
