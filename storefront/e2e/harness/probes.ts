/**
 * What the tests watch inside a page: every toast that ever appeared (toasts dismiss themselves,
 * so counting the visible ones cannot prove "exactly once"), and how many documents the tab has
 * loaded (a live update must arrive without a reload).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

declare global {
  interface Window {
    __e2eToasts?: string[];
  }
}

/** Runs in every document of the context before the app's own scripts. */
function installProbes(): void {
  const loads = Number(sessionStorage.getItem('e2e-loads') ?? '0') + 1;
  sessionStorage.setItem('e2e-loads', String(loads));
  const seen: string[] = [];
  window.__e2eToasts = seen;
  const record = (node: Node) => {
    if (!(node instanceof HTMLElement)) return;
    const toasts = node.matches('[data-testid="toast"]') ? [node] : [...node.querySelectorAll<HTMLElement>('[data-testid="toast"]')];
    // Text is read a frame later: a framework may insert the element before filling it.
    for (const toast of toasts) requestAnimationFrame(() => seen.push((toast.textContent ?? '').replace(/\s+/g, ' ').trim()));
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) mutation.addedNodes.forEach(record);
  }).observe(document, { childList: true, subtree: true });
}

export async function addProbes(context: BrowserContext): Promise<void> {
  await context.addInitScript(installProbes);
}

/** Documents this tab has loaded so far (1 after the first navigation). */
export async function loadCount(page: Page): Promise<number> {
  return page.evaluate(() => Number(sessionStorage.getItem('e2e-loads') ?? '0'));
}

/** Every toast text this document has shown, in order, visible or already dismissed. */
export async function toastsSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window.__e2eToasts ?? [])]);
}

/** How many toasts this document has shown that contain `text` (a toast may add a close button). */
export async function toastCount(page: Page, text: string): Promise<number> {
  return (await toastsSeen(page)).filter((toast) => toast.includes(text)).length;
}

/** `$1,234.56`: the storefront's money format (ui-contract.md), from integer cents. */
export function formatUsd(amountMinor: number): string {
  const dollars = Math.trunc(amountMinor / 100).toLocaleString('en-US');
  return `$${dollars}.${String(Math.abs(amountMinor) % 100).padStart(2, '0')}`;
}

/** Saves every open tab of the browser, so a failed run shows what the pages looked like. */
export async function saveFailureScreenshots(browser: Browser, testName: string, directory: URL): Promise<void> {
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60).toLowerCase();
  const tabs = browser.contexts().flatMap((context) => context.pages());
  await Promise.all(
    tabs.map(async (tab, index) => {
      try {
        await tab.screenshot({ path: new URL(`failures/${slug}-${index}.png`, directory).pathname, timeout: 5_000 });
      } catch {
        // A tab that is closing cannot be captured; the others still are.
      }
    }),
  );
}
