/**
 * The production blob store on MinIO or S3 (DESIGN.md §6: on when S3_ENDPOINT is set), through
 * the `minio` client. Path-style addressing, because s3rver and MinIO behind a plain host name
 * need it. Every put passes the size, so the client sends one PUT and never starts a multipart
 * upload (s3rver has none; DESIGN.md §7).
 */
import { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Client, S3Error } from 'minio';
import type { BlobStore, StoredBlob } from './blob-store.ts';
import { assertValidBlobSize, assertValidContentType, assertValidKey, blobLimits } from './blob-store.ts';

export interface S3BlobStoreOptions {
  /** S3_ENDPOINT, for example `http://127.0.0.1:9000`; https turns TLS on. */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly bucket: string;
  /** Given up front so the client never asks the server for the bucket's region. */
  readonly region?: string;
  /** How long a presigned GET URL from `url` stays valid. */
  readonly urlExpirySeconds?: number;
}

const defaultRegion = 'us-east-1';
const defaultUrlExpirySeconds = 60 * 60;
const missingCodes = new Set(['NoSuchKey', 'NotFound']);
const bucketTakenCodes = new Set(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists']);

export class S3BlobStore implements BlobStore {
  readonly #client: Client;
  readonly #bucket: string;
  readonly #urlExpirySeconds: number;

  private constructor(client: Client, bucket: string, urlExpirySeconds: number) {
    this.#client = client;
    this.#bucket = bucket;
    this.#urlExpirySeconds = urlExpirySeconds;
  }

  /** Connects and creates the bucket when it is missing. */
  static async open(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const endpoint = new URL(options.endpoint);
    const region = options.region ?? defaultRegion;
    const client = new Client({
      endPoint: endpoint.hostname,
      ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
      useSSL: endpoint.protocol === 'https:',
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region,
      pathStyle: true,
    });
    await ensureBucket(client, options.bucket, region);
    return new S3BlobStore(client, options.bucket, options.urlExpirySeconds ?? defaultUrlExpirySeconds);
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    assertValidKey(key);
    assertValidContentType(contentType);
    assertValidBlobSize(bytes);
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    await this.#client.putObject(this.#bucket, key, body, bytes.byteLength, { 'Content-Type': contentType });
  }

  async get(key: string): Promise<StoredBlob | null> {
    assertValidKey(key);
    let response: Readable;
    try {
      response = await this.#client.getObject(this.#bucket, key);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    // The client types the response as a Readable; at run time it is the HTTP response itself.
    const contentType = response instanceof IncomingMessage ? response.headers['content-type'] : undefined;
    const bytes = await readAll(response, blobLimits.maxBlobBytes);
    return { bytes, contentType: contentType ?? (await this.#statContentType(key)) };
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.#client.removeObject(this.#bucket, key);
  }

  async exists(key: string): Promise<boolean> {
    assertValidKey(key);
    try {
      await this.#client.statObject(this.#bucket, key);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** A presigned GET URL; signing happens locally, so this makes no request. */
  async url(key: string): Promise<string> {
    assertValidKey(key);
    return this.#client.presignedGetObject(this.#bucket, key, this.#urlExpirySeconds);
  }

  /** The client keeps no connection that needs closing (it uses the shared HTTP agent). */
  async close(): Promise<void> {}

  async #statContentType(key: string): Promise<string> {
    const stat = await this.#client.statObject(this.#bucket, key);
    return String(stat.metaData['content-type'] ?? 'application/octet-stream');
  }
}

async function ensureBucket(client: Client, bucket: string, region: string): Promise<void> {
  if (await client.bucketExists(bucket)) return;
  try {
    await client.makeBucket(bucket, region);
  } catch (error) {
    // Another process may have created it between the check and the create.
    if (!(error instanceof S3Error && bucketTakenCodes.has(error.code ?? ''))) throw error;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof S3Error && missingCodes.has(error.code ?? '');
}

/** Reads a whole response, failing instead of buffering more than `maxBytes`. */
async function readAll(stream: Readable, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    total += buffer.byteLength;
    if (total > maxBytes) {
      stream.destroy();
      throw new RangeError(`blob is larger than ${maxBytes} bytes`);
    }
    chunks.push(buffer);
  }
  const joined = Buffer.concat(chunks, total);
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
}
