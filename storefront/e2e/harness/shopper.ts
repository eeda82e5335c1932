/**
 * The shopper's steps of the golden path, as a person does them: keyboard search, add to
 * cart, and "Place orders" clicked twice quickly. Each step checks what the page shows.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { liveUpdateMs, textOf, waitForText } from './ui.ts';

/** Opens the Ctrl+K overlay, types `query`, and picks the option titled `title` by keyboard. */
export async function searchByKeyboard(page: Page, query: string, title: string): Promise<void> {
  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Search' });
  await dialog.waitFor();
  // Typed key by key, as a person types, so the overlay's debounce is exercised.
  await dialog.getByLabel('Search products').pressSequentially(query, { delay: 40 });
  const options = dialog.getByRole('option');
  await options.filter({ hasText: title }).first().waitFor({ timeout: liveUpdateMs });
  const selected = dialog.locator('[role="option"][aria-selected="true"]');
  for (let press = 0; press <= (await options.count()) && !(await textOf(selected)).includes(title); press += 1) {
    await page.keyboard.press('ArrowDown');
  }
  expect(await textOf(selected)).toContain(title);
  await page.keyboard.press('Enter');
}

/** On a product page: "Add to cart", then the header's cart link shows `itemsAfter`. */
export async function addToCart(page: Page, itemsAfter: number): Promise<void> {
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await waitForText(page.getByRole('link', { name: /Cart/ }), String(itemsAfter));
}

export interface CheckoutRequests {
  /** The JSON bodies of every POST /api/checkout the page sent, in order. */
  readonly bodies: readonly { readonly checkoutId?: string }[];
}

/**
 * Double-clicks "Place orders" on the cart page and waits for the move to /orders and for
 * every checkout request the clicks caused to finish.
 */
export async function placeOrdersByDoubleClick(page: Page): Promise<CheckoutRequests> {
  const bodies: { checkoutId?: string }[] = [];
  let inFlight = 0;
  const isCheckout = (request: { url(): string; method(): string }) => request.method() === 'POST' && request.url().endsWith('/api/checkout');
  page.on('request', (request) => {
    if (!isCheckout(request)) return;
    inFlight += 1;
    bodies.push(JSON.parse(request.postData() ?? '{}') as { checkoutId?: string });
  });
  const settled = (request: { url(): string; method(): string }) => {
    if (isCheckout(request)) inFlight -= 1;
  };
  page.on('requestfinished', settled);
  page.on('requestfailed', settled);
  await page.getByRole('button', { name: 'Place orders' }).dblclick();
  await page.waitForURL((url) => url.pathname === '/orders', { timeout: liveUpdateMs });
  await expect.poll(() => inFlight, { timeout: liveUpdateMs }).toBe(0);
  return { bodies };
}

/**
 * Signs a new account up through the register page, as a person does, and waits until the page
 * shows them signed in. The email is unique per call (`<emailPrefix>-<random>@example.test`).
 */
export async function registerThroughForm(
  page: Page,
  baseUrl: string,
  account: { readonly name: string; readonly accountType: 'Buyer' | 'Seller'; readonly emailPrefix: string },
): Promise<void> {
  await page.goto(`${baseUrl}/register`);
  await page.getByLabel('Display name', { exact: true }).fill(account.name);
  await page.getByLabel('Email', { exact: true }).fill(`${account.emailPrefix}-${randomUUID().slice(0, 8)}@example.test`);
  await page.getByLabel('Password', { exact: true }).fill('e2e-password-123');
  await page.getByRole('radio', { name: account.accountType, exact: true }).check();
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor({ timeout: liveUpdateMs });
}
