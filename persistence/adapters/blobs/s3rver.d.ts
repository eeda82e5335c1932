/**
 * The part of s3rver 3.7 (a fake S3 server, dev dependency, no typings of its own) that the blob
 * store tests use. DESIGN.md §7: no multipart uploads, credentials never checked.
 */
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  export interface S3rverOptions {
    readonly address?: string;
    /** 0 picks a free port; `run` resolves with the one chosen. */
    readonly port?: number;
    readonly silent?: boolean;
    /** Where the fake buckets live on disk. */
    readonly directory?: string;
    readonly resetOnClose?: boolean;
    readonly configureBuckets?: readonly { readonly name: string }[];
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
