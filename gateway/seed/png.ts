/**
 * A tiny PNG encoder for the demo catalog's product images: a soft two-colour gradient with a
 * disc and a band, drawn per product from its hue, so every product has a distinct real image
 * without shipping binary files in the repository.
 */
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_unused, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}

/** A `size`×`size` RGB PNG for a product, varied by `hue` (0–360) and `variant`. */
export function productImage(hue: number, variant: number, size = 256): Uint8Array {
  const top = hslToRgb(hue, 0.7, 0.78);
  const bottom = hslToRgb((hue + 40) % 360, 0.65, 0.45);
  const disc = hslToRgb((hue + 180) % 360, 0.55, 0.6);
  const centre = size * (0.35 + (variant % 3) * 0.15);
  const radius = size * (0.18 + (variant % 4) * 0.03);
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y += 1) {
    const row = y * (size * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < size; x += 1) {
      const t = (x + y) / (2 * size);
      let colour: [number, number, number] = [0, 1, 2].map((i) => Math.round((top[i] ?? 0) * (1 - t) + (bottom[i] ?? 0) * t)) as [number, number, number];
      if ((x - centre) ** 2 + (y - size / 2) ** 2 < radius ** 2) colour = disc;
      if (y > size * 0.8 && y < size * 0.84) colour = [255, 255, 255];
      raw.set(colour, row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}
