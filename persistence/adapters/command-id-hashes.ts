/**
 * A snapshot's command-id hashes as its row stores them (026_snapshot_command_ids.sql): four
 * bytes each, little-endian, in the order runtime/command-ids.ts keeps them (ascending).
 */
export function hashesToBytes(hashes: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(hashes.length * 4);
  const view = new DataView(bytes.buffer);
  hashes.forEach((hash, index) => view.setUint32(index * 4, hash, true));
  return bytes;
}

export function hashesFromBytes(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0) throw new Error(`stored command-id hashes are ${bytes.length} bytes, not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: bytes.length / 4 }, (_, index) => view.getUint32(index * 4, true));
}

