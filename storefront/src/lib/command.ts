/**
 * One command behind a button or form: a pending flag (the control is disabled meanwhile, so a
 * double click sends once) and the failure as a sentence to show beside the control. Every page
 * that writes uses this one helper instead of its own three signals and try/catch/finally.
 */
import { createSignal } from 'solid-js';
import type { Accessor } from 'solid-js';
import { describeError, errorCode } from './errors.ts';

export interface Command {
  readonly pending: Accessor<boolean>;
  /** The last failure as a sentence, or null. */
  readonly error: Accessor<string | null>;
  /** The last failure's error code (e.g. `not_disputed`), or null. */
  readonly code: Accessor<string | null>;
  /** Shows a sentence without running anything: a check that failed before the request. */
  readonly fail: (sentence: string) => void;
  /** Runs `work` unless a run is pending; true when it finished, false when it failed or was skipped. */
  readonly run: (work: () => Promise<unknown>) => Promise<boolean>;
}

/** `describe` turns a failure into its sentence (the checkout names the product or seller that failed). */
export function useCommand(describe: (error: unknown) => string = describeError): Command {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [code, setCode] = createSignal<string | null>(null);
  return {
    pending,
    error,
    code,
    fail: (sentence) => setError(sentence),
    run: async (work) => {
      if (pending()) return false;
      setPending(true);
      setError(null);
      setCode(null);
      try {
        await work();
        return true;
      } catch (caught) {
        setCode(errorCode(caught));
        setError(describe(caught));
        return false;
      } finally {
        setPending(false);
      }
    },
  };
}
