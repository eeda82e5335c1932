/**
 * The accessibility smoke (issue #5: labelled inputs, visible focus). Names come from
 * Chromium's own accessibility tree over the DevTools protocol, so a label is judged the way a
 * screen reader would get it (label, aria-label, aria-labelledby), not by a guess in the test.
 */
import type { Page } from 'playwright-core';

/** Tab presses checked per page: enough to leave the header's first control. */
const tabsPerPage = 3;

/** Visible inputs, selects and textareas with no accessible name, as short HTML for the report. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  const described = await page.evaluate(() => {
    const controls = [...document.querySelectorAll<HTMLElement>('input:not([type="hidden"]), select, textarea')];
    const visible = controls.filter((control) => {
      const box = control.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(control).visibility !== 'hidden';
    });
    document.querySelectorAll('[data-e2e-control]').forEach((old) => old.removeAttribute('data-e2e-control'));
    visible.forEach((control, index) => control.setAttribute('data-e2e-control', String(index)));
    return visible.map((control) => control.outerHTML.replace(/\sdata-e2e-control="\d+"/, '').slice(0, 160));
  });
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('Accessibility.enable');
    const { root } = await session.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await session.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '[data-e2e-control]' });
    const missing: string[] = [];
    for (const nodeId of nodeIds) {
      const { node } = await session.send('DOM.describeNode', { nodeId });
      // Attributes come as a flat [name, value, name, value, ...] list.
      const attributes = node.attributes ?? [];
      const index = Number(attributes[attributes.indexOf('data-e2e-control') + 1] ?? '-1');
      const { nodes } = await session.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const name = nodes[0]?.name;
      // A placeholder is a name of last resort that vanishes as one types: it is not a label.
      const source = name?.sources?.find((candidate) => candidate.value !== undefined && candidate.superseded !== true);
      const labelled = typeof name?.value === 'string' && name.value.trim() !== '' && source?.type !== 'placeholder';
      if (!labelled) missing.push(described[index] ?? `control #${index}`);
    }
    return missing;
  } finally {
    await session.detach();
  }
}

export interface FocusStop {
  readonly element: string;
  readonly visible: boolean;
  readonly styled: boolean;
}

/**
 * Presses Tab from the top of the page and reports where focus lands: the element must be
 * visible and look different focused than blurred (outline, ring, border or background).
 * Transitions are finished before each reading, so a fading ring is read at its end value.
 */
export async function tabStops(page: Page): Promise<FocusStop[]> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const stops: FocusStop[] = [];
  for (let press = 0; press < tabsPerPage; press += 1) {
    await page.keyboard.press('Tab');
    stops.push(await page.evaluate(readFocus));
  }
  return stops;
}

function readFocus(): FocusStop {
  const element = document.activeElement;
  if (!(element instanceof HTMLElement) || element === document.body) return { element: 'body', visible: false, styled: false };
  const properties = ['outline-style', 'outline-width', 'outline-color', 'box-shadow', 'border-color', 'background-color', 'text-decoration-line'];
  const read = () => {
    for (const animation of element.getAnimations()) animation.finish();
    const style = getComputedStyle(element);
    return properties.map((property) => style.getPropertyValue(property)).join('|');
  };
  const box = element.getBoundingClientRect();
  const visible = box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
  const focused = read();
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
  element.blur();
  const blurred = read();
  element.focus();
  const label = `${element.tagName.toLowerCase()} "${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40)}"`;
  return { element: label, visible, styled: outlined || focused !== blurred };
}
