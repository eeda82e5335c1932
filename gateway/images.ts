/**
 * Image uploads: the type is taken from the bytes (magic numbers), not from what the client
 * claims, and must be one we serve. A multipart/form-data body gives its first file part; any
 * other body is the image itself.
 */
import { ApiError } from './http.ts';

/** Bytes in one image upload; the route's body cap, and a 413 beyond it. */
export const maxImageBytes = 5 * 1024 * 1024;

const signatures: readonly { readonly type: string; readonly extension: string; readonly matches: (bytes: Uint8Array) => boolean }[] = [
  { type: 'image/png', extension: 'png', matches: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { type: 'image/jpeg', extension: 'jpg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', extension: 'gif', matches: (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38 },
  {
    type: 'image/webp',
    extension: 'webp',
    matches: (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50,
  },
];

export interface ImageUpload {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly extension: string;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle), from);
}

/** The first part of a multipart body that has a filename, or null when there is none. */
export function firstFilePart(body: Uint8Array, boundary: string): Uint8Array | null {
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const headerEnd = new TextEncoder().encode('\r\n\r\n');
  let start = indexOf(body, delimiter, 0);
  while (start >= 0) {
    const headersAt = start + delimiter.length + 2;
    const bodyAt = indexOf(body, headerEnd, headersAt);
    if (bodyAt < 0) return null;
    const headers = Buffer.from(body.subarray(headersAt, bodyAt)).toString('latin1');
    const next = indexOf(body, delimiter, bodyAt + 4);
    if (next < 0) return null;
    if (/filename="/i.test(headers)) return body.subarray(bodyAt + 4, next - 2);
    start = next;
  }
  return null;
}

export function readImageUpload(body: Uint8Array, contentTypeHeader: string | undefined): ImageUpload {
  let bytes = body;
  const boundary = /^multipart\/form-data;.*boundary="?([^";]{1,70})"?/i.exec(contentTypeHeader ?? '')?.[1];
  if (boundary !== undefined) {
    const part = firstFilePart(body, boundary);
    if (part === null) throw new ApiError(400, 'invalid_request', 'the form has no file part');
    bytes = part;
  }
  if (bytes.length === 0) throw new ApiError(400, 'invalid_request', 'the image is empty');
  if (bytes.length > maxImageBytes) throw new ApiError(413, 'payload_too_large', `images are at most ${maxImageBytes} bytes`);
  const signature = signatures.find((candidate) => candidate.matches(bytes));
  if (signature === undefined) throw new ApiError(415, 'unsupported_image', 'send a PNG, JPEG, GIF or WebP image');
  return { bytes, contentType: signature.type, extension: signature.extension };
}
