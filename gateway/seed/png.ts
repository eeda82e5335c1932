/**
 * A tiny PNG encoder for the demo catalog's product images, drawn per product (gateway/seed/
 * product-art.ts) at the size they are shown, so every product has a real, crisp image without
 * shipping binary files in the repository.
 */
import { deflateSync } from 'node:zlib';
import { hsl, partsOf, shapeOfCategory } from './product-art.ts';
import type { Rgb, Shape } from './product-art.ts';

/** Widths the seed writes for each product: the card (about 360 px) and the product page (about 550 px, sharp on 1x and 1.2x screens). */
export const demoImageWidths = [320, 640] as const;

/**
 * Blob keys of a demo product's image: `main.png` is the largest width, `main-320w.png` the
 * smaller one. `width` null (or the largest) names the main image.
 */
export function demoImageKey(productId: string, width: number | null): string {
  const largest = demoImageWidths[demoImageWidths.length - 1];
  return width === null || width === largest ? `products/${productId}/main.png` : `products/${productId}/main-${width}w.png`;
}

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

/** RGB pixels → PNG, each row with the "Up" filter, which makes smooth gradients compress well. */
export function encodePng(pixels: Uint8Array, size: number): Uint8Array {
  const stride = size * 3;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y += 1) {
    const row = y * (stride + 1);
    raw[row] = 2;
    const at = y * stride;
    if (y === 0) raw.set(pixels.subarray(0, stride), row + 1);
    else for (let x = 0; x < stride; x += 1) raw[row + 1 + x] = ((pixels[at + x] as number) - (pixels[at - stride + x] as number)) & 0xff;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 4 })), chunk('IEND', new Uint8Array())]);
}

function blend(pixels: Uint8Array, offset: number, colour: Rgb, alpha: number): void {
  const r = pixels[offset] as number;
  const g = pixels[offset + 1] as number;
  const b = pixels[offset + 2] as number;
  pixels[offset] = r + (colour[0] - r) * alpha + 0.5;
  pixels[offset + 1] = g + (colour[1] - g) * alpha + 0.5;
  pixels[offset + 2] = b + (colour[2] - b) * alpha + 0.5;
}

/** Half the size, each pixel the mean of four: the small picture from the large one. */
function halved(pixels: Uint8Array, size: number): Uint8Array {
  const half = size >> 1;
  const out = new Uint8Array(half * half * 3);
  for (let y = 0; y < half; y += 1) {
    for (let x = 0; x < half; x += 1) {
      const a = (2 * y * size + 2 * x) * 3;
      const b = a + size * 3;
      for (let channel = 0; channel < 3; channel += 1) {
        const sum = (pixels[a + channel] as number) + (pixels[a + 3 + channel] as number) + (pixels[b + channel] as number) + (pixels[b + 3 + channel] as number);
        out[(y * half + x) * 3 + channel] = (sum + 2) >> 2;
      }
    }
  }
  return out;
}

/** The studio backdrop: a pale wash of the product's hue, lighter at the top, with a soft floor shadow. */
function backdrop(pixels: Uint8Array, size: number, hue: number): void {
  const top = hsl(hue, 0.35, 0.95);
  const bottom = hsl(hue, 0.25, 0.86);
  for (let y = 0; y < size; y += 1) {
    const t = y / size;
    const r = Math.round(top[0] * (1 - t) + bottom[0] * t);
    const g = Math.round(top[1] * (1 - t) + bottom[1] * t);
    const b = Math.round(top[2] * (1 - t) + bottom[2] * t);
    const rowStart = y * size * 3;
    pixels[rowStart] = r;
    pixels[rowStart + 1] = g;
    pixels[rowStart + 2] = b;
    // Doubling copies fill the row from its first pixel.
    for (let filled = 3; filled < size * 3; filled *= 2) pixels.copyWithin(rowStart + filled, rowStart, rowStart + Math.min(filled, size * 3 - filled));
    // The floor shadow under the object: an ellipse fading out from its centre (only its rows).
    if (Math.abs(t - 0.76) >= 0.035) continue;
    for (let x = Math.floor(size * 0.2); x < Math.ceil(size * 0.8); x += 1) {
      const shadow = 1 - Math.hypot((x / size - 0.5) / 0.3, (t - 0.76) / 0.035);
      if (shadow > 0) blend(pixels, (y * size + x) * 3, [40, 40, 50], Math.min(0.28, shadow * 0.35));
    }
  }
}

/** A `size`×`size` catalogue picture of a product of `category`, coloured by `hue` (0–360) and varied by `variant`. */
export function productImage(hue: number, variant: number, size = 640, category = ''): Uint8Array {
  return encodePng(drawProduct(hue, variant, size, category), size);
}

/** The picture at each of `demoImageWidths`, drawn once at the largest and halved for the smaller. */
export function productImageSet(hue: number, variant: number, category: string): { readonly width: number; readonly png: Uint8Array }[] {
  const [small, large] = demoImageWidths;
  const pixels = drawProduct(hue, variant, large, category);
  return [
    { width: small, png: encodePng(halved(pixels, large), small) },
    { width: large, png: encodePng(pixels, large) },
  ];
}

function drawProduct(hue: number, variant: number, size: number, category: string): Uint8Array {
  const shape: Shape = shapeOfCategory[category] ?? 'box';
  const pixels = new Uint8Array(size * size * 3);
  backdrop(pixels, size, hue);
  const main = hsl(hue, 0.55, 0.52);
  const accent = hsl((hue + 150 + (variant % 4) * 20) % 360, 0.5, 0.6);
  const pixel = 1 / size;
  for (const part of partsOf(shape, main, accent, variant)) {
    const [left, top, right, bottom] = part.box;
    const fromY = Math.max(0, Math.floor((top - 0.05) * size));
    const toY = Math.min(size, Math.ceil((bottom + 0.05) * size));
    const fromX = Math.max(0, Math.floor((left - 0.05) * size));
    const toX = Math.min(size, Math.ceil((right + 0.05) * size));
    for (let y = fromY; y < toY; y += 1) {
      for (let x = fromX; x < toX; x += 1) {
        const u = (x + 0.5) * pixel;
        const v = (y + 0.5) * pixel;
        // Coverage of this pixel from the distance to the edge: a one-pixel anti-aliased ramp.
        const coverage = Math.min(1, Math.max(0, 0.5 - part.distance(u, v) / pixel));
        if (coverage > 0) blend(pixels, (y * size + x) * 3, part.colour(u, v), coverage);
      }
    }
  }
  return pixels;
}
