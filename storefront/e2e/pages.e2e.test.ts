/**
 * Every main page of the storefront, one test each: it renders its content, every visible
 * control has an accessible name, Tab lands on visible elements with a visible focus style, and
 * screenshots at 1280×800 and 390×844 go to storefront/e2e/screenshots/ for people to look at.
 * At phone width no page may scroll sideways.
 *
 * The buyer and seller here are fresh accounts made through /register (registration is not
 * rate limited, and logins are: 5 a minute per IP, which the shop flow mostly uses).
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckoutDto } from '../../gateway/api-types.ts';
import { adminLogin, demoSellers } from '../../gateway/seed/catalog.ts';
import { productImage } from '../../gateway/seed/png.ts';
import { unlabelledControls, tabStops } from './harness/a11y.ts';
import type { Api } from './harness/api.ts';
import { apiOf } from './harness/api.ts';
import { desktopViewport, launchChromium, phoneViewport } from './harness/chromium.ts';
import { saveFailureScreenshots } from './harness/probes.ts';
import { liveUpdateMs, signIn } from './harness/ui.ts';
import { fullPageShot } from './harness/screenshots.ts';
import { orderKey } from '../../actors/keys.ts';
import { registerThroughForm } from './harness/shopper.ts';

const baseUrl = inject('e2eBaseUrl');
const skipReason = inject('e2eSkipReason');
if (skipReason !== '') console.warn(`pages.e2e.test.ts skipped: ${skipReason}`);

const screenshotsDir = new URL('./screenshots/', import.meta.url);
const demoProductId = `${demoSellers[0]?.id.replace('demo-seller-', 'demo-') ?? 'demo-aurora'}-01`;

type Role = 'guest' | 'buyer' | 'seller' | 'admin';

interface MainPage {
  readonly name: string;
  readonly role: Role;
  /** The path, given the ids the setup made. */
  readonly path: (ids: { orderId: string; productId: string }) => string;
  /** A test id (or `h1`, or `button:<name>`) that shows the page rendered its content, not a loading state. */
  readonly ready: string;
}

const mainPages: readonly MainPage[] = [
  { name: 'login', role: 'guest', path: () => '/login', ready: 'button:Sign in' },
  { name: 'register', role: 'guest', path: () => '/register', ready: 'button:Create account' },
  { name: 'home', role: 'buyer', path: () => '/', ready: 'product-card' },
  { name: 'product', role: 'buyer', path: () => `/products/${demoProductId}`, ready: 'h1' },
  { name: 'search', role: 'buyer', path: () => '/search?q=lamp', ready: 'product-card' },
  { name: 'cart', role: 'buyer', path: () => '/cart', ready: 'cart-group' },
  { name: 'orders', role: 'buyer', path: () => '/orders', ready: 'order-row' },
  { name: 'order-detail', role: 'buyer', path: ({ orderId }) => `/orders/${orderId}`, ready: 'order-status' },
  { name: 'wallet', role: 'buyer', path: () => '/wallet', ready: 'wallet-available' },
  { name: 'seller-dashboard', role: 'seller', path: () => '/seller', ready: 'feed-order' },
  { name: 'seller-products', role: 'seller', path: () => '/seller/products', ready: 'seller-product' },
  { name: 'admin-inspector', role: 'admin', path: ({ orderId }) => `/admin/actors/${encodeURIComponent(orderKey(orderId))}`, ready: 'actor-state' },
  { name: 'audit', role: 'admin', path: () => '/admin/audit', ready: 'audit-result' },
];

async function register(browser: Browser, accountType: 'Buyer' | 'Seller'): Promise<{ page: Page; context: BrowserContext; api: Api }> {
  const context = await browser.newContext({ viewport: desktopViewport });
  const page = await context.newPage();
  await registerThroughForm(page, baseUrl, { name: `E2E ${accountType}`, accountType, emailPrefix: `e2e-${accountType.toLowerCase()}` });
  return { page, context, api: await apiOf(context, baseUrl) };
}

describe.skipIf(skipReason !== '')('main pages: content, accessibility smoke, screenshots', () => {
  let browser: Browser;
  const pages = new Map<Role, Page>();
  const ids = { orderId: '', productId: '' };

  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(screenshotsDir, { recursive: true });
    const seller = await register(browser, 'Seller');
    const product = await seller.api.post<{ id: string }>('/api/products', {
      commandId: randomUUID(),
      title: 'E2E Screenshot Lamp',
      description: 'A lamp made by the browser tests.',
      category: 'home',
      priceMinor: 4_999,
      stock: 10,
    });
    ids.productId = product.id;
    await seller.api.upload(`/api/products/${product.id}/images`, productImage(45, 2), 'image/png');

    const buyer = await register(browser, 'Buyer');
    await buyer.api.post('/api/wallet/deposit', { commandId: randomUUID(), amountMinor: 50_000 });
    const checkout = await buyer.api.post<CheckoutDto>('/api/checkout', { checkoutId: randomUUID(), items: [{ productId: product.id, qty: 1 }] });
    ids.orderId = checkout.orderIds[0] ?? '';
    // Something in the cart for the cart page, added the way a shopper does.
    await buyer.page.goto(`${baseUrl}/products/${demoProductId}`);
    await buyer.page.getByRole('button', { name: 'Add to cart' }).click();

    const admin = await browser.newContext({ viewport: desktopViewport });
    const adminPage = await admin.newPage();
    await signIn(adminPage, baseUrl, adminLogin.email, adminLogin.password, '/admin/actors');
    const guest = await browser.newContext({ viewport: desktopViewport });
    pages.set('guest', await guest.newPage()).set('buyer', buyer.page).set('seller', seller.page).set('admin', adminPage);
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && browser !== undefined) await saveFailureScreenshots(browser, task.name, screenshotsDir);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it.each(mainPages)('$name: renders, labels every control, shows focus, screenshots at 1280 and 390 px', async (main) => {
    const page = pages.get(main.role);
    if (page === undefined) throw new Error(`no ${main.role} page: the setup failed`);
    await page.setViewportSize(desktopViewport);
    await page.goto(`${baseUrl}${main.path(ids)}`);
    const ready = main.ready === 'h1'
      ? page.getByRole('heading', { level: 1 })
      : main.ready.startsWith('button:')
        ? page.getByRole('button', { name: main.ready.slice('button:'.length), exact: true })
        : page.getByTestId(main.ready);
    await ready.first().waitFor({ timeout: liveUpdateMs });
    await fullPageShot(page, new URL(`${main.name}-1280.png`, screenshotsDir).pathname);

    const unlabelled = await unlabelledControls(page);
    const stops = await tabStops(page);

    await page.setViewportSize(phoneViewport);
    await page.evaluate(() => {
      // The Tab check leaves a focus ring on the header; the phone screenshot should not show it.
      (document.activeElement as HTMLElement | null)?.blur();
      return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    });
    await fullPageShot(page, new URL(`${main.name}-390.png`, screenshotsDir).pathname);
    const scrollWidth = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY);
    await page.setViewportSize(desktopViewport);

    expect(unlabelled, 'visible controls without an accessible name').toEqual([]);
    expect(stops.filter((stop) => !stop.visible || !stop.styled), 'Tab stops that are hidden or have no focus style').toEqual([]);
    expect(scrollWidth, 'page width at 390 px').toBeLessThanOrEqual(phoneViewport.width);
  });
});
