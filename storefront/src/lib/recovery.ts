/**
 * A section that failed to load while the connection was down shows its error and "Try again".
 * When the connection is back (the browser says it is online again, or the live socket resumed
 * after being offline) every query is revalidated and every failed section retries by itself, so
 * a network blip never leaves a page stuck on an error.
 */
import { revalidate } from '@solidjs/router';
import { createSignal } from 'solid-js';

const [recoveries, setRecoveries] = createSignal(0);

/** Increases each time the connection comes back; failed sections reset when it changes. */
export { recoveries };

export function connectionRecovered(): void {
  void revalidate();
  setRecoveries((count) => count + 1);
}

window.addEventListener('online', connectionRecovered);
