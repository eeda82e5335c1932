/**
 * Small building blocks every page uses: async boundaries with real loading and error states,
 * empty states, inline errors (role="alert"), status badges and money.
 */
import { createEffect, ErrorBoundary, For, on, Show, Suspense } from 'solid-js';
import type { JSX, ParentProps } from 'solid-js';
import { describeError } from '../lib/errors.ts';
import { formatCents } from '../lib/money.ts';
import { recoveries } from '../lib/recovery.ts';
import type { CentsInput } from '../lib/money.ts';

/** Skeleton rows shown while data loads, so a page is never blank. */
export function Skeleton(props: { rows?: number; height?: string }): JSX.Element {
  return (
    <div class="grid gap-3" role="status" aria-live="polite">
      <span class="sr-only">Loading…</span>
      <For each={Array.from({ length: props.rows ?? 3 })}>{() => <div class="skeleton" style={{ height: props.height ?? '3.5rem' }} />}</For>
    </div>
  );
}

export function Spinner(props: { label?: string }): JSX.Element {
  return (
    <span class="inline-flex items-center gap-2 text-muted" role="status">
      <span class="inline-block h-4 w-4 animate-spin rounded-full border-2 border-current border-t-transparent" aria-hidden="true" />
      <span>{props.label ?? 'Loading…'}</span>
    </span>
  );
}

export function ErrorNote(props: { error: unknown; id?: string }): JSX.Element {
  return (
    <Show when={props.error !== undefined && props.error !== null}>
      <p id={props.id} role="alert" class="m-0 mt-2 rounded-xl px-3 py-2 text-sm tone-bad">
        {typeof props.error === 'string' ? props.error : describeError(props.error)}
      </p>
    </Show>
  );
}

export function EmptyState(props: ParentProps<{ title: string; icon?: string }>): JSX.Element {
  return (
    <div class="card-premium p-8 text-center rise-in">
      <div class="text-4xl" aria-hidden="true">
        {props.icon ?? '🫙'}
      </div>
      <p class="m-0 mt-2 text-lg font-semibold">{props.title}</p>
      <div class="mt-2 text-muted">{props.children}</div>
    </div>
  );
}

/**
 * Suspense plus an error boundary: loading shows a skeleton, a failed read shows its sentence
 * with a retry, instead of an empty page or an uncaught error.
 */
export function Async(props: ParentProps<{ fallback?: JSX.Element; rows?: number }>): JSX.Element {
  return (
    <ErrorBoundary
      fallback={(error, reset) => {
        // Retry by itself once the connection is back (lib/recovery.ts).
        createEffect(on(recoveries, reset, { defer: true }));
        return (
          <div class="card-premium p-5">
            <ErrorNote error={error} />
            <button type="button" class="btn-ghost mt-3" onClick={reset}>
              Try again
            </button>
          </div>
        );
      }}
    >
      <Suspense fallback={props.fallback ?? <Skeleton rows={props.rows ?? 3} />}>{props.children}</Suspense>
    </ErrorBoundary>
  );
}

export function Money(props: { cents: CentsInput; class?: string; testId?: string }): JSX.Element {
  return (
    <span class={`tabular ${props.class ?? ''}`} data-testid={props.testId}>
      {formatCents(props.cents)}
    </span>
  );
}

export function Badge(props: ParentProps<{ tone: 'good' | 'warn' | 'bad' | 'info'; testId?: string }>): JSX.Element {
  return (
    <span class={`badge tone-${props.tone}`} data-testid={props.testId}>
      {props.children}
    </span>
  );
}

export function PageHeader(props: ParentProps<{ title: string; subtitle?: string }>): JSX.Element {
  return (
    <div class="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div>
        <h1 class="page-title m-0">{props.title}</h1>
        <Show when={props.subtitle}>
          <p class="m-0 mt-1 text-muted">{props.subtitle}</p>
        </Show>
      </div>
      <div class="flex flex-wrap gap-2">{props.children}</div>
    </div>
  );
}

export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 6) / 10;
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 2.4) / 10} days`;
}

export function formatPercent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

/**
 * Previous/next paging under a list; renders nothing when everything fits on one page. The
 * button words are props because a ledger pages through time ("Newer"/"Older").
 */
export function Pager(props: { page: number; total: number; pageSize: number; onPage: (page: number) => void; label: string; previous?: string; next?: string }): JSX.Element {
  const lastPage = (): number => Math.max(1, Math.ceil(props.total / Math.max(1, props.pageSize)));
  return (
    <Show when={lastPage() > 1}>
      <nav class="mt-6 flex items-center justify-center gap-3" aria-label={props.label}>
        <button type="button" class="btn-ghost" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
          {props.previous ?? 'Previous'}
        </button>
        <span class="text-sm text-muted">
          Page {props.page} of {lastPage()}
        </span>
        <button type="button" class="btn-ghost" disabled={props.page >= lastPage()} onClick={() => props.onPage(props.page + 1)}>
          {props.next ?? 'Next'}
        </button>
      </nav>
    </Show>
  );
}

/**
 * A filter select whose value comes from the URL (search filters, order and mail statuses). Options arrive with the results, after the select was
 * made, so each option carries `selected` itself (a `value` on the select set before its options
 * exist is lost, which is why a shared link used to show "All sellers").
 */
export function FilterSelect(props: { id: string; label: string; value: string; all: string | null; options: readonly (readonly [string, string])[]; onChange: (value: string) => void }): JSX.Element {
  return (
    <div>
      <label for={props.id} class="field-label">
        {props.label}
      </label>
      <select id={props.id} class="field" onChange={(event) => props.onChange(event.currentTarget.value)}>
        <Show when={props.all !== null}>
          <option value="" selected={props.value === ''}>
            {props.all}
          </option>
        </Show>
        <Show when={props.value !== '' && !props.options.some(([value]) => value === props.value)}>
          <option value={props.value} selected>
            {props.value}
          </option>
        </Show>
        <For each={props.options}>
          {([value, label]) => (
            <option value={value} selected={value === props.value}>
              {label}
            </option>
          )}
        </For>
      </select>
    </div>
  );
}
