/**
 * The operators' cluster page (issue #16) in a real Chromium against the `npm start` server the
 * browser tier runs, which is embedded (one node): the page says cluster mode is off and what
 * turns it on, keeps reading while it is open, is reached from the operator navigation, and is
 * refused to a shopper. The page's cluster-mode tables are fed by GET /api/admin/cluster, proved
 * over two nodes on PostgreSQL in gateway/app/cluster-view.int.test.ts. Screenshots at 1280 and
 * 390 px go to storefront/e2e/screenshots/admin-cluster-off-*.png.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminLogin } from '../../gateway/seed/catalog.ts';
import { desktopViewport, launchChromium } from './harness/chromium.ts';
import { saveFailureScreenshots } from './harness/probes.ts';
import { liveUpdateMs, signIn, textOf, waitForText } from './harness/ui.ts';
import { registerThroughForm } from './harness/shopper.ts';
import { shotAtBothWidths } from './harness/screenshots.ts';

const baseUrl = inject('e2eBaseUrl');
const skipReason = inject('e2eSkipReason');
if (skipReason !== '') console.warn(`cluster.e2e.test.ts skipped: ${skipReason}`);
const screenshotsDir = new URL('./screenshots/', import.meta.url);

function shoot(page: Page, name: string): Promise<void> {
  return shotAtBothWidths(page, screenshotsDir, name);
}

describe.skipIf(skipReason !== '')('issue #16: the operators\' cluster page on a single node', () => {
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(screenshotsDir, { recursive: true });
    admin = await (await browser.newContext({ viewport: desktopViewport })).newPage();
    await signIn(admin, baseUrl, adminLogin.email, adminLogin.password, '/admin/actors');
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && browser !== undefined) await saveFailureScreenshots(browser, task.name, screenshotsDir);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('is reached from the operator navigation and says cluster mode is off, and what turns it on', async () => {
    await admin.getByRole('link', { name: 'Cluster', exact: true }).first().click();
    await admin.waitForURL((url) => url.pathname === '/admin/cluster');
    await admin.getByRole('heading', { name: 'Cluster', exact: true }).waitFor();
    await waitForText(admin.getByText('Cluster mode is off', { exact: true }), 'Cluster mode is off');
    const page = await textOf(admin.locator('main'));
    expect(page).toContain('CLUSTER_NODE_ID is not set');
    expect(page).toContain('DATABASE_URL');
    // No tables of a cluster that is not there.
    expect(await admin.getByTestId('cluster-node').count()).toBe(0);
    expect(await admin.getByTestId('cluster-shard').count()).toBe(0);
    await shoot(admin, 'admin-cluster-off');
  });

  it('keeps reading while it is open, and stops once the operator leaves', async () => {
    await admin.goto(`${baseUrl}/admin/cluster`);
    await admin.getByText('Cluster mode is off', { exact: true }).waitFor({ timeout: liveUpdateMs });
    let reads = 0;
    const count = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === '/api/admin/cluster') reads += 1;
    };
    admin.on('request', count);
    await expect.poll(() => reads, { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    await admin.getByRole('link', { name: 'Audit', exact: true }).first().click();
    await admin.waitForURL((url) => url.pathname === '/admin/audit');
    const afterLeaving = reads;
    await admin.waitForTimeout(4_500);
    admin.off('request', count);
    expect(reads).toBe(afterLeaving);
  });

  it('is refused to a shopper, who never gets the cluster data', async () => {
    const context = await browser.newContext({ viewport: desktopViewport });
    const page = await context.newPage();
    await registerThroughForm(page, baseUrl, { name: 'Cluster Shopper', accountType: 'Buyer', emailPrefix: 'cluster-shopper' });
    await page.goto(`${baseUrl}/admin/cluster`);
    await waitForText(page.locator('main'), 'This page is not for your account');
    expect(await textOf(page.locator('main'))).not.toContain('Cluster mode');
    const answer = await page.request.get(`${baseUrl}/api/admin/cluster`);
    expect(answer.status()).toBe(403);
    await context.close();
  });
});
