/**
 * A money action asked twice (issue #15 §3): the first click opens an inline confirmation that
 * names the amount and who gets it, and only its confirm button acts. Inline rather than modal, so
 * it sits beside the control that opened it and a toast never covers it.
 */
import { createSignal, createUniqueId, onMount, Show } from 'solid-js';
import type { JSX } from 'solid-js';

export interface ConfirmActionProps {
  /** The button that opens the confirmation, e.g. "Confirm delivery". */
  readonly label: string;
  /** What will happen, with the amount and the party who gets it. */
  readonly question: string;
  /** The confirm button, e.g. "Release $25.00 to Ada's Shop". */
  readonly confirmLabel: string;
  readonly run: () => Promise<unknown>;
  readonly disabled?: boolean;
  readonly danger?: boolean;
}

export function ConfirmAction(props: ConfirmActionProps): JSX.Element {
  const [asking, setAsking] = createSignal(false);
  const [pending, setPending] = createSignal(false);
  const titleId = createUniqueId();

  async function confirm(): Promise<void> {
    setPending(true);
    try {
      await props.run();
    } finally {
      setPending(false);
      setAsking(false);
    }
  }

  return (
    <Show
      when={asking()}
      fallback={
        <button type="button" class="btn-ghost" disabled={props.disabled === true || pending()} aria-haspopup="dialog" onClick={() => setAsking(true)}>
          {props.label}
        </button>
      }
    >
      <div role="alertdialog" aria-labelledby={titleId} class="grid w-full gap-2 rounded-xl border border-line bg-[var(--c-hover)] p-3 rise-in">
        <p id={titleId} class="m-0 text-sm font-medium">
          {props.question}
        </p>
        <div class="flex flex-wrap gap-2">
          <ConfirmButton danger={props.danger === true} disabled={pending()} onClick={() => void confirm()}>
            {props.confirmLabel}
          </ConfirmButton>
          <button type="button" class="btn-ghost" disabled={pending()} onClick={() => setAsking(false)}>
            Keep as is
          </button>
        </div>
      </div>
    </Show>
  );
}

function ConfirmButton(props: { danger: boolean; disabled: boolean; onClick: () => void; children: string }): JSX.Element {
  let button: HTMLButtonElement | undefined;
  // The confirmation takes focus, so a keyboard user lands on the question's answer.
  onMount(() => button?.focus());
  return (
    <button ref={button} type="button" class={props.danger ? 'btn-danger' : 'btn-premium'} disabled={props.disabled} onClick={() => props.onClick()}>
      {props.children}
    </button>
  );
}
