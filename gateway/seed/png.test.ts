/**
 * The demo pictures: valid PNGs at each width the storefront's srcset names, drawn (not a flat
 * test pattern: the object differs from the backdrop), and named where the srcset looks.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { demoImageKey, demoImageWidths, productImage, productImageSet } from './png.ts';

function header(png: Uint8Array): { width: number; height: number } {
  const bytes = Buffer.from(png);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The raw scanlines (filter byte + RGB) of a single-IDAT PNG as written by encodePng. */
function scanlines(png: Uint8Array): Buffer {
  const bytes = Buffer.from(png);
  const length = bytes.readUInt32BE(33);
  return inflateSync(bytes.subarray(41, 41 + length));
}

describe('demo product images', () => {
  it('comes at 320 and 640 px, both valid, square PNGs', () => {
    const set = productImageSet(30, 5, 'home');
    expect(set.map((image) => image.width)).toEqual([...demoImageWidths]);
    for (const image of set) expect(header(image.png)).toEqual({ width: image.width, height: image.width });
    expect(header(productImage(10, 1)).width).toBe(640);
  });

  it('draws an object on the backdrop: the centre row holds many distinct colours, the corner row few', () => {
    const size = 320;
    const raw = scanlines(productImageSet(220, 2, 'phones')[0]?.png ?? new Uint8Array());
    expect(raw.length).toBe((size * 3 + 1) * size);
    // Rows use the "Up" filter (2): undo it to read real pixels.
    const pixels = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size * 3; x += 1) {
        const above = y === 0 ? 0 : (pixels[(y - 1) * size * 3 + x] ?? 0);
        pixels[y * size * 3 + x] = ((raw[y * (size * 3 + 1) + 1 + x] ?? 0) + above) & 0xff;
      }
    }
    const colours = (y: number): number => new Set(Array.from({ length: size }, (_unused, x) => pixels.subarray((y * size + x) * 3, (y * size + x) * 3 + 3).join(','))).size;
    expect(colours(size / 2)).toBeGreaterThan(5);
    expect(colours(2)).toBe(1);
  });

  it('names the small image where the storefront srcset looks for it', () => {
    expect(demoImageKey('demo-nordic-06', null)).toBe('products/demo-nordic-06/main.png');
    expect(demoImageKey('demo-nordic-06', 640)).toBe('products/demo-nordic-06/main.png');
    expect(demoImageKey('demo-nordic-06', 320)).toBe('products/demo-nordic-06/main-320w.png');
  });
});
