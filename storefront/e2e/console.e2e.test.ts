/**
 * Issue #15, sections 6–8, in a real Chromium: search that keeps its promises (filters from the
 * URL in their controls, chips with "Clear all", a corrected typo named, swapped letters
 * forgiven), the operator console (find by order number, a live inspector, the overview), and
 * the phone, product and error fixes (one-row header, stacked tables, delete that asks and is
 * quick, images while creating, a catalogue category list, paging, a real not-found page, no
 * console error when signed out, crisp images with srcset). Screenshots of the new pages go to
 * storefront/e2e/screenshots/ at 1280 and 390 px.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { orderNumber } from '../../actors/order/order-number.ts';
import type { CheckoutDto } from '../../gateway/api-types.ts';
import { adminLogin, demoPassword } from '../../gateway/seed/catalog.ts';
import type { Api } from './harness/api.ts';
import { apiOf } from './harness/api.ts';
import { desktopViewport, launchChromium, phoneViewport } from './harness/chromium.ts';
import { saveFailureScreenshots } from './harness/probes.ts';
import { demoProduct, demoSeller, liveUpdateMs, pngFile, signIn, textOf, waitForCount, waitForText } from './harness/ui.ts';
import { registerThroughForm } from './harness/shopper.ts';
import { shotAtBothWidths } from './harness/screenshots.ts';

const baseUrl = inject('e2eBaseUrl');
const skipReason = inject('e2eSkipReason');
if (skipReason !== '') console.warn(`console.e2e.test.ts skipped: ${skipReason}`);

const screenshotsDir = new URL('./screenshots/', import.meta.url);
const nordic = demoSeller('nordic@bazaary.dev');
const candle = demoProduct(nordic, 'Scented Candle');

function shoot(page: Page, name: string): Promise<void> {
  return shotAtBothWidths(page, screenshotsDir, name);
}

async function registerBuyer(browser: Browser): Promise<{ page: Page; context: BrowserContext; api: Api }> {
  const context = await browser.newContext({ viewport: desktopViewport });
  const page = await context.newPage();
  await registerThroughForm(page, baseUrl, { name: 'Console Buyer', accountType: 'Buyer', emailPrefix: 'console-buyer' });
  return { page, context, api: await apiOf(context, baseUrl) };
}

describe.skipIf(skipReason !== '')('issue #15 §6–8: search, operator console, phone, products, errors', () => {
  let browser: Browser;
  let buyer: { page: Page; context: BrowserContext; api: Api };
  let admin: Page;
  let seller: Page;
  let sellerApi: Api;
  let orderId = '';

  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(screenshotsDir, { recursive: true });
    buyer = await registerBuyer(browser);
    await buyer.api.post('/api/wallet/deposit', { commandId: randomUUID(), amountMinor: 100_000 });
    const checkout = await buyer.api.post<CheckoutDto>('/api/checkout', { checkoutId: randomUUID(), items: [{ productId: candle.productId, qty: 1 }] });
    orderId = checkout.orderIds[0] ?? '';
    const adminContext = await browser.newContext({ viewport: desktopViewport });
    admin = await adminContext.newPage();
    await signIn(admin, baseUrl, adminLogin.email, adminLogin.password, '/admin/actors');
    const sellerContext = await browser.newContext({ viewport: desktopViewport });
    seller = await sellerContext.newPage();
    await signIn(seller, baseUrl, nordic.email, demoPassword, '/seller');
    sellerApi = await apiOf(sellerContext, baseUrl);
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && browser !== undefined) await saveFailureScreenshots(browser, task.name, screenshotsDir);
  });

  afterAll(async () => {
    await browser?.close();
  });

  describe('§6 search', () => {
    it('shows the filters of a shared link in their controls and chips; Clear all and the back button follow', async () => {
      const page = buyer.page;
      await page.goto(`${baseUrl}/search?q=candle&category=home&seller=${nordic.id}&minPrice=100&maxPrice=500000&sort=price_asc`);
      await page.getByTestId('product-card').first().waitFor({ timeout: liveUpdateMs });
      expect(await page.locator('#category').inputValue()).toBe('home');
      await expect.poll(() => page.locator('#seller').inputValue()).toBe(nordic.id);
      expect(await page.locator('#sort').inputValue()).toBe('price_asc');
      expect(await page.locator('#min-price').inputValue()).toBe('1.00');
      expect(await page.locator('#max-price').inputValue()).toBe('5000.00');
      const chips = page.getByTestId('filter-chips');
      expect(await textOf(chips)).toContain('Category: Home');
      expect(await textOf(chips)).toContain(`Seller: ${nordic.name}`);
      await shoot(page, 'search-filters');

      await page.getByRole('button', { name: 'Clear all' }).click();
      await page.waitForURL((url) => url.search === '?q=candle');
      await waitForCount(page.getByTestId('filter-chips'), 0);
      expect(await page.locator('#category').inputValue()).toBe('');
      expect(await page.locator('#min-price').inputValue()).toBe('');

      await page.goBack();
      await expect.poll(() => page.locator('#category').inputValue()).toBe('home');
      await expect.poll(() => page.locator('#min-price').inputValue()).toBe('1.00');
    });

    it('forgives swapped and dropped letters and says which spelling it searched', async () => {
      const page = buyer.page;
      await page.goto(`${baseUrl}/search?q=candel`);
      await waitForText(page.getByTestId('corrected'), 'Showing results for candle');
      expect(await textOf(page.getByTestId('product-card').first())).toContain('Candle');
      await shoot(page, 'search-corrected');
      await page.goto(`${baseUrl}/search?q=hedphones`);
      await waitForText(page.getByTestId('product-card').first(), 'Headphones');
      await waitForText(page.getByTestId('corrected'), 'headphones');
    });

    it('keeps the filters in a sheet on a phone', async () => {
      const context = await browser.newContext({ viewport: phoneViewport });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/search?q=lamp&category=home`);
      await page.getByTestId('product-card').first().waitFor({ timeout: liveUpdateMs });
      expect(await page.locator('#category').isVisible()).toBe(false);
      await page.getByRole('button', { name: 'Filters (1)' }).click();
      expect(await page.locator('#category').isVisible()).toBe(true);
      await context.close();
    });
  });

  describe('§7 operator console', () => {
    it('finds an order by the number a customer reads out, with status, buyer and seller, and opens it', async () => {
      const number = orderNumber(orderId);
      await admin.goto(`${baseUrl}/admin/actors`);
      await admin.getByLabel('Find an order number, email, product title or key').fill(number.toLowerCase());
      await admin.getByRole('button', { name: 'Find', exact: true }).click();
      const row = admin.getByTestId('found-actor').first();
      await waitForText(row, `Order #${number}`);
      const text = await textOf(row);
      expect(text).toContain(`order:${orderId}`);
      expect(text).toMatch(/PAID|PLACED/);
      expect(text).toContain('Console Buyer');
      expect(text).toContain(nordic.name);
      await shoot(admin, 'admin-find');
      await row.getByRole('link', { name: `order:${orderId}` }).click();
      await admin.getByTestId('actor-state').waitFor();
    });

    it('follows the actor live and reads timers as sentences', async () => {
      await admin.goto(`${baseUrl}/admin/actors/${encodeURIComponent(`order:${orderId}`)}`);
      await admin.getByTestId('journal-entry').first().waitFor({ timeout: liveUpdateMs });
      await waitForText(admin.getByTestId('timer-row').first(), /Cancels and refunds the order unless it has shipped on .+ \(in .+\)\./);
      const entriesBefore = await admin.getByTestId('journal-entry').count();
      await sellerApi.post(`/api/orders/${orderId}/ship`, {});
      // Shipping journals the ship and, a moment later, the release timer's scheduling.
      await expect.poll(() => admin.getByTestId('journal-entry').count(), { timeout: liveUpdateMs }).toBeGreaterThan(entriesBefore);
      await waitForText(admin.getByTestId('actor-state'), 'SHIPPED');
      await waitForText(admin.getByTestId('timer-row').first(), 'Releases the escrow to the seller');
      await waitForText(admin.getByTestId('following'), /\d+ new entr(y|ies)/);
      await shoot(admin, 'admin-inspector-live');
    });

    it('shows an overview of actors, rates, lag and timers that moves as work happens', async () => {
      await admin.goto(`${baseUrl}/admin`);
      await admin.getByTestId('overview-charts').waitFor({ timeout: liveUpdateMs });
      await waitForText(admin.getByTestId('kinds'), 'order');
      expect(await admin.getByTestId('consumer-lag').count()).toBeGreaterThan(0);
      await waitForText(admin.getByTestId('timers-summary'), 'pending');
      for (let request = 0; request < 30; request += 1) await buyer.api.get('/api/wallet');
      await expect.poll(async () => Number((await textOf(admin.getByTestId('chart-requests').getByTestId('tile-value'))).replace(/[^\d.]/g, '')), { timeout: 10_000 }).toBeGreaterThan(0);
      // A few seconds of history, so the screenshot shows lines rather than single points.
      await waitForText(admin.getByTestId('chart-requests'), /over the last ([5-9]|\d\d) s/);
      await shoot(admin, 'admin-overview');
    });
  });

  describe('§8 phone, products, errors', () => {
    it('puts the signed-in header in one row at 390 px, with 44 px targets, and stacks the actors table', async () => {
      const page = buyer.page;
      await page.setViewportSize(phoneViewport);
      await page.goto(`${baseUrl}/`);
      await page.getByTestId('product-card').first().waitFor();
      const header = await page.locator('header').boundingBox();
      expect(header?.height ?? 999).toBeLessThanOrEqual(64);
      const small = await page.locator('header a:visible, header button:visible').evaluateAll((elements) =>
        elements.filter((element) => element.getBoundingClientRect().height < 44 || element.getBoundingClientRect().width < 44).map((element) => element.outerHTML.slice(0, 80)),
      );
      expect(small).toEqual([]);
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.locator('#phone-menu').getByRole('link', { name: 'Orders' }).waitFor();
      await page.setViewportSize(desktopViewport);

      await admin.setViewportSize(phoneViewport);
      await admin.goto(`${baseUrl}/admin/actors?kind=order`);
      const cell = admin.getByTestId('actor-row').first().locator('td').nth(2);
      await cell.waitFor();
      expect(await cell.evaluate((element) => getComputedStyle(element, '::before').content)).toBe('"Mailbox"');
      expect(await admin.evaluate(() => document.scrollingElement?.scrollWidth ?? 9999)).toBeLessThanOrEqual(phoneViewport.width);
      await shoot(admin, 'admin-actors');
      await admin.setViewportSize(desktopViewport);
    });

    it('creates a product with an image and a catalogue category, and deletes it after asking, in under a second', async () => {
      await seller.goto(`${baseUrl}/seller/products/new`);
      // The catalogue's categories arrive after the page: wait for one before reading them all.
      await seller.locator('#product-category option', { hasText: 'Kitchen' }).waitFor({ state: 'attached' });
      const categories = await seller.locator('#product-category option').allTextContents();
      expect(categories).toEqual(expect.arrayContaining(['Home', 'Kitchen', 'Phones']));
      await seller.getByLabel('Title', { exact: true }).fill('E2E Linen Napkins');
      await seller.locator('#product-category').selectOption('home');
      await seller.getByLabel('Price (USD)').fill('12.50');
      await seller.locator('#product-new-images').setInputFiles(await pngFile(200, 'napkins'));
      await seller.getByTestId('new-image-preview').waitFor();
      await shoot(seller, 'seller-product-new');
      await seller.getByRole('button', { name: 'Create product' }).click();
      await seller.waitForURL(/\/seller\/products\/[^/]+\/edit$/);
      await seller.getByTestId('product-image').first().waitFor({ timeout: liveUpdateMs });

      const failed: string[] = [];
      seller.on('response', (response) => response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`));
      await seller.getByRole('button', { name: 'Delete product' }).click();
      await waitForText(seller.getByRole('alert'), 'Delete “E2E Linen Napkins”?');
      const started = Date.now();
      await seller.getByRole('button', { name: 'Yes, delete it' }).click();
      await seller.waitForURL((url) => url.pathname === '/seller/products');
      // Done means back on the list: it was about 4 s, six 404s of a retry loop, before.
      expect(Date.now() - started).toBeLessThan(1_000);
      await seller.getByTestId('seller-product').first().waitFor();
      expect(await seller.getByTestId('seller-product').filter({ hasText: 'E2E Linen Napkins' }).count()).toBe(0);
      expect(failed).toEqual([]);
    });

    it("pages and searches the seller's product list", async () => {
      await seller.goto(`${baseUrl}/seller/products`);
      await waitForCount(seller.getByTestId('seller-product'), 20);
      await seller.getByRole('navigation', { name: 'Product pages' }).getByRole('button', { name: 'Next' }).click();
      await waitForText(seller.getByRole('navigation', { name: 'Product pages' }), 'Page 2 of 3');
      await seller.getByLabel('Search your products').fill('candle');
      await seller.locator('#main').getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(async () => (await seller.getByTestId('seller-product').allTextContents()).every((text) => text.includes('Candle'))).toBe(true);
      expect(await seller.getByTestId('seller-product').count()).toBeGreaterThan(0);
      await shoot(seller, 'seller-products-search');
    });

    it('shows a real not-found page for a missing product, and a signed-out load logs no console error', async () => {
      const context = await browser.newContext({ viewport: desktopViewport });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      await page.goto(`${baseUrl}/`);
      await page.getByTestId('product-card').first().waitFor();
      expect(errors).toEqual([]);
      await page.goto(`${baseUrl}/products/no-such-product`);
      await page.getByRole('heading', { name: 'This product is not available' }).waitFor({ timeout: liveUpdateMs });
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Back to the shop' }).count()).toBe(1);
      await shoot(page, 'not-found');
      await context.close();
    });

    it('serves demo images at display size with a srcset', async () => {
      const page = buyer.page;
      await page.goto(`${baseUrl}/products/${candle.productId}`);
      const image = page.locator('article img').first();
      await image.waitFor();
      expect(await image.getAttribute('srcset')).toMatch(/main-320w\.png 320w, .*main\.png 640w/);
      await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth)).toBeTruthy();
      const { natural, shown } = await image.evaluate((element) => ({ natural: (element as HTMLImageElement).naturalWidth, shown: element.getBoundingClientRect().width }));
      expect(natural).toBeGreaterThanOrEqual(shown);
      await page.goto(`${baseUrl}/`);
      const card = page.getByTestId('product-card').first().locator('img');
      await card.waitFor();
      await expect.poll(() => card.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth)).toBeTruthy();
      const cardSizes = await card.evaluate((element) => ({ natural: (element as HTMLImageElement).naturalWidth, shown: element.getBoundingClientRect().width }));
      expect(cardSizes.natural).toBeGreaterThanOrEqual(cardSizes.shown);
    });
  });
});
