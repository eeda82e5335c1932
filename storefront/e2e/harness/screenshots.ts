/**
 * Full-page screenshots that show what a shopper sees. Images below the fold are `loading="lazy"`,
 * so a full-page shot taken at once shows empty boxes where a person who scrolls sees products.
 * Before each shot the page is scrolled through one viewport at a time (which starts every lazy
 * image the way scrolling does), back to the top, and every image is waited for until it has
 * loaded (or failed) and decoded, bounded so a broken image cannot hang a test.
 */
import type { Page } from 'playwright-core';
import { desktopViewport, phoneViewport } from './chromium.ts';

/** How long one shot waits for images at most; past it the shot is taken anyway. */
const imageWaitMs = 10_000;

export async function settleImages(page: Page): Promise<void> {
  await page.evaluate(async (waitMs) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const scroller = document.scrollingElement ?? document.documentElement;
    for (let top = 0; top < scroller.scrollHeight; top += window.innerHeight) {
      window.scrollTo(0, top);
      await frame();
    }
    window.scrollTo(0, 0);
    const loaded = (image: HTMLImageElement) =>
      image.complete ? Promise.resolve() : new Promise<void>((resolve) => {
        image.addEventListener('load', () => resolve(), { once: true });
        image.addEventListener('error', () => resolve(), { once: true });
      });
    const all = Promise.all([...document.images].map((image) => loaded(image).then(() => image.decode().catch(() => undefined))));
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, waitMs))]);
    await frame();
  }, imageWaitMs);
}

export async function fullPageShot(page: Page, path: string): Promise<void> {
  await settleImages(page);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
}

/**
 * `<name>-1280.png` and `<name>-390.png` in `directory`: the page at desktop width, then at phone
 * width once the layout has settled (two frames), and back at desktop width for what follows.
 */
export async function shotAtBothWidths(page: Page, directory: URL, name: string): Promise<void> {
  await page.setViewportSize(desktopViewport);
  await fullPageShot(page, new URL(`${name}-1280.png`, directory).pathname);
  await page.setViewportSize(phoneViewport);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await fullPageShot(page, new URL(`${name}-390.png`, directory).pathname);
  await page.setViewportSize(desktopViewport);
}
