/**
 * The blob store port (DESIGN.md §1): product images and other uploads. A local directory when
 * embedded, MinIO/S3 in production (S3_ENDPOINT set).
 *
 * Guarantees every adapter gives (blob-store.contract.ts checks them):
 * - `put` stores the exact bytes with their content type, replacing any blob under the key. A
 *   reader sees the old blob or the new one, never a mix.
 * - `get` returns the bytes and content type, or null when nothing is stored under the key.
 *   `delete` of a missing key is a no-op.
 * - `url` names where a browser can fetch the blob: a gateway path for the local store, a
 *   presigned GET URL for S3. It does not check that the blob exists.
 * - Keys and content types are checked first; a bad one rejects with `InvalidBlobKey` or a
 *   RangeError before anything is touched. Keys are flat names: `products/p1/main.jpg` and
 *   `products` may both exist.
 */
export interface StoredBlob {
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

export interface BlobStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredBlob | null>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  url(key: string): Promise<string>;
  close(): Promise<void>;
}

/** Every bound of the blob port (STYLE.md, "Put a limit on everything"). */
export const blobLimits = {
  /** Characters in a key; S3 allows 1,024 bytes, a file path segment 255. */
  maxKeyLength: 512,
  /** Characters in one `/`-separated segment, so the local store can make it a file name. */
  maxKeySegmentLength: 200,
  /** Bytes in one blob; `get` holds a whole blob in memory. Larger uploads get 413 at the gateway. */
  maxBlobBytes: 10 * 1024 * 1024,
  /** Characters in a content type. */
  maxContentTypeLength: 200,
} as const;

export class InvalidBlobKey extends Error {
  override readonly name = 'InvalidBlobKey';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`invalid blob key ${JSON.stringify(key.slice(0, 80))}: ${reason}`);
  }
}

const keyCharacters = /^[a-zA-Z0-9/._-]+$/;

/** Throws `InvalidBlobKey` naming the first broken rule. */
export function assertValidKey(key: string): void {
  if (key.length === 0) throw new InvalidBlobKey(key, 'it is empty');
  if (key.length > blobLimits.maxKeyLength) throw new InvalidBlobKey(key, `it is longer than ${blobLimits.maxKeyLength}`);
  if (!keyCharacters.test(key)) throw new InvalidBlobKey(key, 'only a-z, A-Z, 0-9 and / . _ - are allowed');
  if (key.includes('..')) throw new InvalidBlobKey(key, 'it contains ".."');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidBlobKey(key, 'it has an empty segment (a leading, trailing or double "/")');
    if (segment === '.') throw new InvalidBlobKey(key, 'it has a "." segment');
    if (segment.length > blobLimits.maxKeySegmentLength) {
      throw new InvalidBlobKey(key, `a segment is longer than ${blobLimits.maxKeySegmentLength}`);
    }
  }
}

/** A media type such as `image/jpeg` or `text/plain; charset=utf-8`: printable ASCII, one line. */
export function assertValidContentType(contentType: string): void {
  if (contentType.length > blobLimits.maxContentTypeLength) throw new RangeError(`content type is longer than ${blobLimits.maxContentTypeLength}`);
  if (!/^[a-zA-Z0-9!#$&^_.+-]+\/[a-zA-Z0-9!#$&^_.+-]+( *;[\x20-\x7e]*)?$/.test(contentType)) {
    throw new RangeError(`content type ${JSON.stringify(contentType)} is not type/subtype[; parameters]`);
  }
}

export function assertValidBlobSize(bytes: Uint8Array): void {
  if (bytes.byteLength > blobLimits.maxBlobBytes) {
    throw new RangeError(`blob of ${bytes.byteLength} bytes exceeds ${blobLimits.maxBlobBytes}`);
  }
}
