/**
 * Small steps the scenarios share, written against ui-contract.md only (roles, labels, test
 * ids). playwright-core has no auto-retrying `expect`, so waits are vitest's `expect.poll`.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { productImage } from '../../../gateway/seed/png.ts';
import type { DemoProduct, DemoSeller } from '../../../gateway/seed/catalog.ts';
import { demoProducts, demoSellers } from '../../../gateway/seed/catalog.ts';

/** How long a live update may take to show: WebSocket delivery plus the event processor's lag. */
export const liveUpdateMs = 20_000;

export async function signIn(page: Page, baseUrl: string, email: string, password: string, landingPath: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === landingPath);
}

/** The element's text, whitespace collapsed; '' while it does not exist. */
export async function textOf(locator: Locator): Promise<string> {
  if ((await locator.count()) === 0) return '';
  return ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export async function waitForText(locator: Locator, expected: string | RegExp, timeout = liveUpdateMs): Promise<void> {
  const check = expect.poll(() => textOf(locator), { timeout, interval: 100 });
  await (typeof expected === 'string' ? check.toContain(expected) : check.toMatch(expected));
}

export async function waitForCount(locator: Locator, count: number, timeout = liveUpdateMs): Promise<void> {
  await expect.poll(() => locator.count(), { timeout, interval: 100 }).toBe(count);
}

export function demoSeller(email: string): DemoSeller {
  const seller = demoSellers.find((candidate) => candidate.email === email);
  if (seller === undefined) throw new Error(`no demo seller ${email}`);
  return seller;
}

export function demoProduct(seller: DemoSeller, title: string): DemoProduct {
  const product = demoProducts(seller).find((candidate) => candidate.title === title);
  if (product === undefined) throw new Error(`${seller.name} has no product titled ${title}`);
  return product;
}

/** The element with `testId` that links to `path`: it may be the link or hold it (ui-contract.md). */
export function linkedRow(page: Page, testId: string, path: string): Locator {
  const href = `[href$="${path}"]`;
  const row = `[data-testid="${testId}"]`;
  return page.locator(`${row}${href}, ${row}:has(a${href})`).first();
}

/** The link of the product card for a product, to click. */
export function productCardFor(page: Page, productId: string): Locator {
  const href = `[href$="/products/${productId}"]`;
  return page.locator(`[data-testid="product-card"]${href}, [data-testid="product-card"] a${href}`).first();
}

/** Writes a real PNG (the seed's own encoder) to a temporary file for a file input. */
export async function pngFile(hue: number, name: string): Promise<string> {
  const path = join(tmpdir(), `${name}-${process.pid}.png`);
  await writeFile(path, productImage(hue, 1, 192));
  return path;
}

/** True when every matched img has loaded real pixels. */
export async function imagesLoaded(images: Locator): Promise<boolean> {
  const widths = await images.evaluateAll((elements) => elements.map((image) => (image instanceof HTMLImageElement && image.complete ? image.naturalWidth : 0)));
  return widths.length > 0 && widths.every((width) => width > 0);
}
