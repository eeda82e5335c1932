/**
 * Issue #15 §5 in a real Chromium: a new shopper's cart says to add a shipping address before
 * "Place orders"; the address book adds one and comes back to the cart with it chosen; the order
 * carries it to the order page and to the seller's order desk; the book edits, moves the default
 * and deletes. Screenshots at 1280 and 390 px: storefront/e2e/screenshots/addresses-*.png.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckoutDto } from '../../gateway/api-types.ts';
import { productImage } from '../../gateway/seed/png.ts';
import { apiOf, type Api } from './harness/api.ts';
import { desktopViewport, launchChromium, phoneViewport } from './harness/chromium.ts';
import { addProbes, saveFailureScreenshots } from './harness/probes.ts';
import { fullPageShot } from './harness/screenshots.ts';
import { liveUpdateMs } from './harness/ui.ts';
import { registerThroughForm } from './harness/shopper.ts';

const baseUrl = inject('e2eBaseUrl');
const skipReason = inject('e2eSkipReason');
if (skipReason !== '') console.warn(`addresses.e2e.test.ts skipped: ${skipReason}`);
const screenshotsDir = new URL('./screenshots/', import.meta.url);

interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly api: Api;
}

let browser: Browser | undefined;
let buyer: Person;
let seller: Person;
let productId: string;

async function register(accountType: 'Buyer' | 'Seller', name: string): Promise<Person> {
  if (browser === undefined) throw new Error('no browser');
  const context = await browser.newContext({ viewport: desktopViewport });
  await addProbes(context);
  const page = await context.newPage();
  await registerThroughForm(page, baseUrl, { name, accountType, emailPrefix: 'e2e-address' });
  return { context, page, api: await apiOf(context, baseUrl) };
}

async function shots(page: Page, name: string): Promise<void> {
  await page.setViewportSize(desktopViewport);
  await fullPageShot(page, new URL(`addresses-${name}-1280.png`, screenshotsDir).pathname);
  await page.setViewportSize(phoneViewport);
  await fullPageShot(page, new URL(`addresses-${name}-390.png`, screenshotsDir).pathname);
  await page.setViewportSize(desktopViewport);
}

async function fillAddress(page: Page, fields: Readonly<Record<string, string>>): Promise<void> {
  const form = page.getByTestId('address-form');
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
}

describe.skipIf(skipReason !== '')('shipping addresses (issue #15 §5)', () => {
  beforeAll(async () => {
    await mkdir(screenshotsDir, { recursive: true });
    browser = await launchChromium();
    [buyer, seller] = await Promise.all([register('Buyer', 'Sam Rivera'), register('Seller', 'Harbour Goods')]);
    const product = await seller.api.post<{ id: string }>('/api/products', { commandId: randomUUID(), title: 'Oak Cutting Board', description: 'Oiled oak, made by the browser tests.', category: 'home', priceMinor: 2_400, stock: 5 });
    await seller.api.upload(`/api/products/${product.id}/images`, productImage(30, 2), 'image/png');
    productId = product.id;
    await buyer.api.post('/api/wallet/deposit', { commandId: randomUUID(), amountMinor: 10_000 });
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && browser !== undefined) await saveFailureScreenshots(browser, task.name, screenshotsDir);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('asks for an address before "Place orders", adds one from the cart and comes back with it chosen', async () => {
    const { page } = buyer;
    await page.goto(`${baseUrl}/products/${productId}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.goto(`${baseUrl}/cart`);
    const place = page.getByRole('button', { name: 'Place orders' });
    await page.getByText('Add a shipping address to check out.').waitFor({ timeout: liveUpdateMs });
    expect(await place.isDisabled()).toBe(true);
    await shots(page, 'cart-no-address');

    await page.getByRole('link', { name: 'Add an address' }).click();
    await page.waitForURL(/\/account\/addresses\?next=/);
    await fillAddress(page, { 'Full name': 'Sam Rivera', 'Street address': '221 Pier Avenue', City: 'Santa Monica', 'Postal code': '90405', 'Country code (US, GB, DE…)': 'us' });
    await page.getByRole('button', { name: 'Save address' }).click();
    await page.waitForURL(`${baseUrl}/cart`);
    const chosen = page.getByRole('radio', { name: 'Sam Rivera, 221 Pier Avenue, Santa Monica 90405, US' });
    await chosen.waitFor({ timeout: liveUpdateMs });
    expect(await chosen.isChecked()).toBe(true);
    expect(await place.isEnabled()).toBe(true);
    await shots(page, 'cart');
  });

  it('carries the chosen address to the order page and the seller’s order desk', async () => {
    const { page } = buyer;
    const answered = page.waitForResponse((response) => response.url().endsWith('/api/checkout') && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Place orders' }).click();
    const checkout = (await (await answered).json()) as CheckoutDto;
    const orderId = checkout.orderIds[0] ?? '';
    await page.goto(`${baseUrl}/orders/${orderId}`);
    const shipTo = page.getByTestId('ship-to');
    await shipTo.waitFor({ timeout: liveUpdateMs });
    expect(await shipTo.textContent()).toBe('Sam Rivera, 221 Pier Avenue, Santa Monica 90405, US');
    await shots(page, 'order');

    await seller.page.goto(`${baseUrl}/seller/orders`);
    const row = seller.page.locator(`[data-order-id="${orderId}"] [data-testid="order-ship-to"]`).first();
    await row.waitFor({ timeout: liveUpdateMs });
    expect(await row.textContent()).toContain('221 Pier Avenue, Santa Monica 90405, US');
    await shots(seller.page, 'seller-desk');
  });

  it('edits an address, moves the default and deletes after asking', async () => {
    const { page } = buyer;
    await page.goto(`${baseUrl}/account/addresses`);
    await page.getByRole('button', { name: 'Add an address' }).click();
    await fillAddress(page, { 'Full name': 'Sam Rivera', 'Street address': '9 Harbor Blvd', 'Apartment, suite (optional)': 'Suite 400', City: 'Oakland', 'Postal code': '94607', 'Country code (US, GB, DE…)': 'US' });
    await page.getByRole('button', { name: 'Save address' }).click();
    const cards = page.getByTestId('address');
    await expect.poll(() => cards.count(), { timeout: liveUpdateMs }).toBe(2);
    await cards.nth(1).getByRole('button', { name: 'Make default' }).click();
    await expect.poll(async () => (await cards.first().textContent()) ?? '', { timeout: liveUpdateMs }).toContain('9 Harbor Blvd');
    expect(await cards.first().textContent()).toContain('Default');

    await cards.nth(1).getByRole('button', { name: 'Edit' }).click();
    await page.getByTestId('address-form').getByLabel('City').fill('Venice');
    await page.getByRole('button', { name: 'Save address' }).click();
    await expect.poll(async () => (await cards.nth(1).textContent()) ?? '', { timeout: liveUpdateMs }).toContain('Venice');
    await shots(page, 'book');

    await cards.nth(1).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete address' }).click();
    await expect.poll(() => cards.count(), { timeout: liveUpdateMs }).toBe(1);
    // The order placed earlier keeps the address it was placed with.
    const orders = await buyer.api.get<{ items: { shipTo: { city: string } | null }[] }>('/api/orders');
    expect(orders.items[0]?.shipTo?.city).toBe('Santa Monica');
  });
});
