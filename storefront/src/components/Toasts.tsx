/** The live region where toasts appear (ui-contract.md: data-testid="toasts" / "toast"). */
import { For } from 'solid-js';
import type { JSX } from 'solid-js';
import { dismissToast, toasts } from '../lib/toasts.ts';
import type { ToastTone } from '../lib/toasts.ts';

const toneClass: Readonly<Record<ToastTone, string>> = {
  info: 'border-l-[var(--c-info)]',
  success: 'border-l-[var(--c-good)]',
  money: 'border-l-[var(--c-warn)]',
  error: 'border-l-[var(--c-bad)]',
};

export function Toasts(): JSX.Element {
  return (
    <div
      data-testid="toasts"
      aria-live="polite"
      class="pointer-events-none fixed bottom-4 right-4 z-50 flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2"
    >
      <For each={toasts()}>
        {(toast) => (
          <div class={`card-premium pointer-events-auto flex items-start gap-3 border-l-4 p-3 rise-in ${toneClass[toast.tone]}`}>
            {/* The test id sits on the text alone, so a toast's text is exactly its sentence. */}
            <p data-testid="toast" class="m-0 flex-1 text-sm font-medium">
              {toast.text}
            </p>
            <button type="button" class="rounded-lg border-0 bg-transparent px-1 text-muted hover:text-ink" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
              ✕
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
