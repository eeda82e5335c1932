/**
 * Catalogue-style product pictures for the demo seed, drawn without any image library: a soft
 * studio backdrop, a floor shadow, and a simple object for the product's category (a phone, a
 * pair of headphones, a mug, a book…) in the product's colour, lit from above. Shapes are signed
 * distance fields, so every edge is anti-aliased at the size the image is generated for.
 */

export type Shape = 'phone' | 'headphones' | 'laptop' | 'vase' | 'mug' | 'book' | 'notebook' | 'backpack' | 'ball' | 'blocks' | 'controller' | 'box';

export const shapeOfCategory: Readonly<Record<string, Shape>> = {
  phones: 'phone',
  audio: 'headphones',
  laptops: 'laptop',
  home: 'vase',
  kitchen: 'mug',
  books: 'book',
  stationery: 'notebook',
  outdoor: 'backpack',
  sports: 'ball',
  toys: 'blocks',
  games: 'controller',
};

export type Rgb = readonly [number, number, number];

export function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number): number => {
    const k = (n + hue / 30) % 12;
    return 255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return [channel(0), channel(8), channel(4)];
}

/** A filled shape in unit coordinates (0–1 across the image): its distance field and its colour. */
export interface Part {
  /** Negative inside, positive outside, in unit lengths. */
  readonly distance: (x: number, y: number) => number;
  /** Colour at a point inside; `shade` is 0 at the part's top and 1 at its bottom. */
  readonly colour: (x: number, y: number) => Rgb;
  /** Bounding box (unit coordinates) outside which the part is skipped. */
  readonly box: readonly [number, number, number, number];
}

function roundedBox(cx: number, cy: number, halfW: number, halfH: number, radius: number) {
  return (x: number, y: number): number => {
    const qx = Math.abs(x - cx) - halfW + radius;
    const qy = Math.abs(y - cy) - halfH + radius;
    return Math.sqrt(Math.max(qx, 0) ** 2 + Math.max(qy, 0) ** 2) + Math.min(Math.max(qx, qy), 0) - radius;
  };
}

function circle(cx: number, cy: number, radius: number) {
  return (x: number, y: number): number => Math.sqrt((x - cx) ** 2 + (y - cy) ** 2) - radius;
}

function ring(cx: number, cy: number, radius: number, thickness: number) {
  return (x: number, y: number): number => Math.abs(Math.sqrt((x - cx) ** 2 + (y - cy) ** 2) - radius) - thickness / 2;
}

/** Light from above: the top of a part is lighter than its bottom. */
function lit(base: Rgb, top: number, bottom: number) {
  return (_x: number, y: number): Rgb => {
    const t = Math.min(1, Math.max(0, (y - top) / Math.max(0.001, bottom - top)));
    const factor = 1.18 - 0.36 * t;
    return [Math.min(255, base[0] * factor), Math.min(255, base[1] * factor), Math.min(255, base[2] * factor)];
  };
}

function part(distance: (x: number, y: number) => number, colour: Rgb | ((x: number, y: number) => Rgb), box: readonly [number, number, number, number]): Part {
  const paint = typeof colour === 'function' ? colour : lit(colour, box[1], box[3]);
  return { distance, colour: paint, box };
}

function boxPart(cx: number, cy: number, halfW: number, halfH: number, radius: number, colour: Rgb | ((x: number, y: number) => Rgb)): Part {
  return part(roundedBox(cx, cy, halfW, halfH, radius), colour, [cx - halfW, cy - halfH, cx + halfW, cy + halfH]);
}

function circlePart(cx: number, cy: number, radius: number, colour: Rgb): Part {
  return part(circle(cx, cy, radius), colour, [cx - radius, cy - radius, cx + radius, cy + radius]);
}

/** The parts of one object, drawn in order; `main` is the product colour, `dark` a near-black. */
export function partsOf(shape: Shape, main: Rgb, accent: Rgb, variant: number): Part[] {
  const dark: Rgb = [38, 40, 48];
  const light: Rgb = [236, 236, 232];
  switch (shape) {
    case 'phone':
      return [boxPart(0.5, 0.47, 0.17, 0.33, 0.05, dark), boxPart(0.5, 0.47, 0.15, 0.3, 0.035, (x, y) => [main[0] * (0.7 + 0.5 * y), main[1] * (0.7 + 0.4 * x), Math.min(255, main[2] * 1.1)]), boxPart(0.5, 0.19, 0.04, 0.008, 0.008, dark)];
    case 'headphones':
      return [
        part(ring(0.5, 0.48, 0.24, 0.045), dark, [0.24, 0.22, 0.76, 0.5]),
        boxPart(0.27, 0.55, 0.065, 0.12, 0.05, main),
        boxPart(0.73, 0.55, 0.065, 0.12, 0.05, main),
      ].map((item, index) => (index === 0 ? { ...item, distance: (x: number, y: number) => (y > 0.5 ? 1 : item.distance(x, y)) } : item));
    case 'laptop':
      return [boxPart(0.5, 0.42, 0.3, 0.2, 0.02, dark), boxPart(0.5, 0.42, 0.275, 0.175, 0.01, main), boxPart(0.5, 0.65, 0.36, 0.025, 0.02, light)];
    case 'vase':
      return [boxPart(0.5, 0.52, 0.15, 0.24, 0.08, main), boxPart(0.5, 0.26, 0.07, 0.05, 0.02, main), boxPart(0.5, 0.52, 0.15, 0.02, 0.01, accent)];
    case 'mug':
      return [part(ring(0.68, 0.5, 0.09, 0.04), main, [0.56, 0.38, 0.8, 0.62]), boxPart(0.47, 0.52, 0.18, 0.2, 0.04, main), boxPart(0.47, 0.34, 0.18, 0.02, 0.02, light)];
    case 'book':
      return [boxPart(0.52, 0.5, 0.22, 0.3, 0.015, light), boxPart(0.5, 0.5, 0.22, 0.3, 0.015, main), boxPart(0.31, 0.5, 0.025, 0.3, 0.01, accent), boxPart(0.52, 0.36, 0.13, 0.02, 0.01, light)];
    case 'notebook':
      return [boxPart(0.5, 0.5, 0.2, 0.28, 0.03, main), boxPart(0.62, 0.5, 0.012, 0.28, 0.005, dark), boxPart(0.47, 0.34, 0.09, 0.04, 0.01, light)];
    case 'backpack':
      return [part(ring(0.5, 0.26, 0.07, 0.03), dark, [0.42, 0.17, 0.58, 0.34]), boxPart(0.5, 0.52, 0.2, 0.26, 0.09, main), boxPart(0.5, 0.62, 0.13, 0.1, 0.04, accent)];
    case 'ball':
      return [circlePart(0.5, 0.5, 0.24, main), part(ring(0.5, 0.5, 0.24 * (0.55 + (variant % 3) * 0.1), 0.018), light, [0.26, 0.26, 0.74, 0.74])];
    case 'blocks':
      return [boxPart(0.38, 0.6, 0.11, 0.11, 0.02, main), boxPart(0.62, 0.6, 0.11, 0.11, 0.02, accent), boxPart(0.5, 0.38, 0.11, 0.11, 0.02, hsl(((variant * 47) % 360), 0.6, 0.6))];
    case 'controller':
      return [boxPart(0.5, 0.52, 0.3, 0.14, 0.12, main), circlePart(0.36, 0.5, 0.04, dark), circlePart(0.64, 0.5, 0.025, accent), circlePart(0.7, 0.45, 0.025, accent)];
    case 'box':
      return [boxPart(0.5, 0.52, 0.22, 0.22, 0.03, main), boxPart(0.5, 0.52, 0.22, 0.02, 0.0, accent)];
    default: {
      const unhandled: never = shape;
      throw new Error(`no drawing for ${String(unhandled)}`);
    }
  }
}
