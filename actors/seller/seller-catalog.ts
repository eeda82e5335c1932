/**
 * The seller's catalog rules: what a valid product is, and how a reservation's requested lines
 * become priced lines. Pure functions used by `decide` (seller.ts).
 */
import { reject, type Rejected } from '../decider.ts';
import type { PricedItem, Product, ProductFields, RequestedItem, SellerRejection } from './seller-messages.ts';

/** Catalog bounds (STYLE.md: a limit on everything). Each bounds what one product costs to store and index. */
export const catalogLimits = {
  titleMaxChars: 200,
  descriptionMaxChars: 10_000,
  categoryMaxChars: 100,
  imagesPerProductMax: 20,
  imageKeyMaxChars: 500,
  /** Stock far beyond any real shelf; it keeps stock + returned quantities well inside safe integers. */
  stockMax: 1_000_000_000,
  /** Lines in one reservation; the checkout allows at most 100 lines per cart. */
  reservationLinesMax: 100,
} as const;

type SellerRejected = Rejected<SellerRejection>;

/** Characters as people count them (code points), not UTF-16 units. */
function charCount(text: string): number {
  return [...text].length;
}

export function checkProductFields(fields: ProductFields): SellerRejected | undefined {
  const { title, description, priceMinor, stock, category } = fields;
  if (title.trim() === '' || charCount(title) > catalogLimits.titleMaxChars) {
    return reject('invalid_product', `The title must be 1 to ${catalogLimits.titleMaxChars} characters, not blank.`);
  }
  if (charCount(description) > catalogLimits.descriptionMaxChars) {
    return reject('invalid_product', `The description must be at most ${catalogLimits.descriptionMaxChars} characters.`);
  }
  if (!Number.isSafeInteger(priceMinor) || priceMinor <= 0) {
    return reject('invalid_product', `The price must be a positive whole number of cents, not ${priceMinor}.`);
  }
  if (!Number.isSafeInteger(stock) || stock < 0 || stock > catalogLimits.stockMax) {
    return reject('invalid_product', `The stock must be a whole number from 0 to ${catalogLimits.stockMax}, not ${stock}.`);
  }
  if (category.trim() === '' || charCount(category) > catalogLimits.categoryMaxChars) {
    return reject('invalid_product', `The category must be 1 to ${catalogLimits.categoryMaxChars} characters, not blank.`);
  }
  return undefined;
}

/** Only the known fields of a patch, so an event never carries stray keys from a caller. */
export function cleanPatch(patch: Partial<ProductFields>): Partial<ProductFields> {
  const clean: { -readonly [Key in keyof ProductFields]?: ProductFields[Key] } = {};
  if (patch.title !== undefined) clean.title = patch.title;
  if (patch.description !== undefined) clean.description = patch.description;
  if (patch.priceMinor !== undefined) clean.priceMinor = patch.priceMinor;
  if (patch.stock !== undefined) clean.stock = patch.stock;
  if (patch.category !== undefined) clean.category = patch.category;
  return clean;
}

/** Requested lines with one line per product, quantities added, in first-appearance order. */
export function mergeLines(items: readonly RequestedItem[]): RequestedItem[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.productId, (merged.get(item.productId) ?? 0) + item.qty);
  return [...merged].map(([productId, qty]) => ({ productId, qty }));
}

export function checkRequestedLines(items: readonly RequestedItem[]): SellerRejected | undefined {
  if (items.length === 0) return reject('empty_reservation', 'A reservation needs at least one line.');
  if (items.length > catalogLimits.reservationLinesMax) {
    return reject('invalid_reservation', `A reservation may have at most ${catalogLimits.reservationLinesMax} lines, not ${items.length}.`);
  }
  for (const item of items) {
    if (!Number.isSafeInteger(item.qty) || item.qty <= 0) {
      return reject('invalid_reservation', `The quantity of ${item.productId} must be a positive whole number, not ${item.qty}.`);
    }
  }
  return undefined;
}

/**
 * Prices every merged line from the catalog, or names the first line that cannot be reserved.
 * All or nothing: one missing product or short line rejects the whole reservation.
 */
export function priceLines(
  products: (productId: string) => Product | undefined,
  lines: readonly RequestedItem[],
): PricedItem[] | SellerRejected {
  const priced: PricedItem[] = [];
  let totalMinor = 0;
  for (const { productId, qty } of lines) {
    const product = products(productId);
    if (product === undefined || product.deleted) {
      return reject('product_not_found', `Product ${productId} is not in this seller's catalog.`);
    }
    if (product.stock < qty) {
      return reject('out_of_stock', `Product ${productId} ("${product.title}") has ${product.stock} in stock, not ${qty}.`);
    }
    totalMinor += qty * product.priceMinor;
    // The order takes its total from these lines; past 2^53 − 1 the sum would round silently.
    if (!Number.isSafeInteger(totalMinor)) {
      return reject('invalid_reservation', 'The reservation is worth more than the largest safe amount of cents.');
    }
    priced.push({ productId, title: product.title, qty, unitPriceMinor: product.priceMinor });
  }
  return priced;
}

/** Whether two lists hold the same quantity of each product, whatever their order. */
export function sameLines(left: readonly { productId: string; qty: number }[], right: readonly RequestedItem[]): boolean {
  if (left.length !== right.length) return false;
  const quantities = new Map(left.map((item) => [item.productId, item.qty]));
  return right.every((item) => quantities.get(item.productId) === item.qty);
}
