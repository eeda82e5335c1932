/**
 * The embedded blob store (DESIGN.md §6): one file per blob under a directory, normally
 * `${DATA_DIR}/blobs`. The gateway serves them under `publicPath`.
 *
 * Layout: key `products/p1/main.jpg` lives in `products/p1/main.jpg~blob`. The `~blob` suffix
 * (`~` is not a key character) keeps a blob's file from ever colliding with the directory of a
 * longer key, so `products` and `products/p1` can both be blobs, as on S3.
 * Format: the line `BZB1 <content type>\n`, then the bytes. Type and bytes sit in one file, so a
 * single rename replaces both at once; a sidecar file would need two.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobStore, StoredBlob } from './blob-store.ts';
import { assertValidBlobSize, assertValidContentType, assertValidKey } from './blob-store.ts';

export interface LocalBlobStoreOptions {
  /** Where the files live, for example `${DATA_DIR}/blobs`. Created when missing. */
  readonly directory: string;
  /** The gateway path blobs are served under, for example `/blobs`; `url` appends the key. */
  readonly publicPath: string;
}

const magic = 'BZB1 ';
const newline = 0x0a;

export class LocalBlobStore implements BlobStore {
  readonly #directory: string;
  readonly #publicPath: string;

  private constructor(options: LocalBlobStoreOptions) {
    this.#directory = options.directory;
    this.#publicPath = options.publicPath.replace(/\/+$/, '');
  }

  static async open(options: LocalBlobStoreOptions): Promise<LocalBlobStore> {
    await mkdir(options.directory, { recursive: true });
    return new LocalBlobStore(options);
  }

  /** Writes a temp file beside the target, syncs it, then renames it over the target. */
  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const path = this.#pathOf(key);
    assertValidContentType(contentType);
    assertValidBlobSize(bytes);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}~tmp-${randomUUID()}`;
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(Buffer.concat([Buffer.from(`${magic}${contentType}\n`, 'latin1'), bytes]));
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    await rename(temporary, path);
  }

  async get(key: string): Promise<StoredBlob | null> {
    const path = this.#pathOf(key);
    let contents: Buffer;
    try {
      contents = await readFile(path);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    return parse(contents, path);
  }

  async delete(key: string): Promise<void> {
    // Emptied directories stay: removing one could race a put that just created it.
    await rm(this.#pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    const path = this.#pathOf(key);
    try {
      return (await stat(path)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async url(key: string): Promise<string> {
    assertValidKey(key);
    return `${this.#publicPath}/${key}`;
  }

  async close(): Promise<void> {}

  /** Validated keys hold no `..`, `.` or empty segment, so the path stays inside the directory. */
  #pathOf(key: string): string {
    assertValidKey(key);
    return `${join(this.#directory, ...key.split('/'))}~blob`;
  }
}

function parse(contents: Buffer, path: string): StoredBlob {
  const headerEnd = contents.indexOf(newline);
  const header = contents.toString('latin1', 0, Math.max(headerEnd, 0));
  if (headerEnd < 0 || !header.startsWith(magic)) throw new Error(`${path} is not a blob file (no ${magic.trim()} header)`);
  const body = contents.subarray(headerEnd + 1);
  return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: header.slice(magic.length) };
}

function isMissing(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
