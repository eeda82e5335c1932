/**
 * The Ctrl/Cmd+K search overlay: a modal dialog with a combobox input and a listbox of results.
 * Typing waits 300 ms of quiet before searching, so a fast typist causes one request, not ten;
 * an answer that arrives after a newer query was typed is dropped. ArrowUp/ArrowDown move the
 * selection, Enter opens the product (or the full results page), Escape closes.
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { useNavigate } from '@solidjs/router';
import type { SearchHitDto } from '../../../gateway/api-types.ts';
import { searchProducts } from '../data/search.ts';
import { formatCents } from '../lib/money.ts';
import { toCardProduct } from './ProductCard.tsx';
import { ErrorNote, Spinner } from './ui.tsx';

/** Quiet time before a search runs; the issue asks for 300 ms. */
const debounceMs = 300;
/** Results shown in the overlay; the results page has the rest. */
const overlayResults = 8;

interface OverlayHitsProps {
  readonly hits: readonly SearchHitDto[];
  readonly active: number;
  readonly onHover: (index: number) => void;
  readonly onOpen: (hit: SearchHitDto) => void;
}

/** The listbox of results; the input keeps focus and points at the active option. */
function OverlayHits(props: OverlayHitsProps): JSX.Element {
  return (
    <ul id="overlay-results" role="listbox" aria-label="Search results" class="m-0 list-none p-0">
      <For each={props.hits}>
        {(hit, index) => (
          <li
            id={`overlay-hit-${index()}`}
            role="option"
            aria-selected={props.active === index()}
            class={`flex cursor-pointer items-center justify-between gap-3 rounded-xl px-3 py-2 ${props.active === index() ? 'bg-[var(--c-hover)]' : ''}`}
            onMouseEnter={() => props.onHover(index())}
            onClick={() => props.onOpen(hit)}
          >
            <span class="min-w-0">
              <span class="block truncate font-medium">{hit.title}</span>
              <span class="block truncate text-xs text-muted">by {hit.sellerName}</span>
            </span>
            <span class="tabular font-semibold">{formatCents(hit.priceMinor)}</span>
          </li>
        )}
      </For>
    </ul>
  );
}

export function SearchOverlay(props: { onClose: () => void }): JSX.Element {
  const navigate = useNavigate();
  const [text, setText] = createSignal('');
  const [hits, setHits] = createSignal<readonly SearchHitDto[]>([]);
  const [total, setTotal] = createSignal(0);
  const [active, setActive] = createSignal(-1);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  /** The query text whose answer is on screen, so "no results" is never shown for stale text. */
  const [answered, setAnswered] = createSignal('');
  let input!: HTMLInputElement;
  let timer: number | undefined;
  let latestRequest = 0;
  const previousFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;

  onMount(() => input.focus());
  onCleanup(() => {
    window.clearTimeout(timer);
    previousFocus?.focus();
  });

  async function run(query: string): Promise<void> {
    const request = ++latestRequest;
    setLoading(true);
    try {
      const result = await searchProducts({ q: query, pageSize: overlayResults });
      if (request !== latestRequest) return;
      setHits(result.hits);
      setTotal(result.total);
      setActive(result.hits.length > 0 ? 0 : -1);
      setAnswered(query.trim());
      setError(null);
    } catch (caught) {
      if (request === latestRequest) setError(caught);
    } finally {
      if (request === latestRequest) setLoading(false);
    }
  }

  function onInput(value: string): void {
    setText(value);
    window.clearTimeout(timer);
    if (value.trim() === '') {
      latestRequest += 1;
      setHits([]);
      setTotal(0);
      setActive(-1);
      setLoading(false);
      return;
    }
    timer = window.setTimeout(() => void run(value), debounceMs);
  }

  function openResultsPage(): void {
    props.onClose();
    navigate(`/search?q=${encodeURIComponent(text().trim())}`);
  }

  function open(hit: SearchHitDto): void {
    props.onClose();
    navigate(`/products/${encodeURIComponent(hit.id)}`, { state: { preview: toCardProduct(hit) } });
  }

  function onKeyDown(event: KeyboardEvent): void {
    const count = hits().length;
    if (event.key === 'ArrowDown' && count > 0) {
      event.preventDefault();
      setActive((index) => (index + 1) % count);
    } else if (event.key === 'ArrowUp' && count > 0) {
      event.preventDefault();
      setActive((index) => (index <= 0 ? count - 1 : index - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const hit = hits()[active()];
      if (hit !== undefined && !event.shiftKey) open(hit);
      else if (text().trim() !== '') openResultsPage();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      props.onClose();
    } else if (event.key === 'Tab') {
      // The input is the dialog's only stop; keep focus inside the modal.
      event.preventDefault();
    }
  }

  return (
    <div class="fixed inset-0 z-40 flex items-start justify-center bg-black/50 px-3 pt-[10vh] backdrop-blur-sm" onClick={(event) => event.target === event.currentTarget && props.onClose()}>
      <div role="dialog" aria-modal="true" aria-label="Search" class="card-premium w-full max-w-xl overflow-hidden rise-in" onKeyDown={onKeyDown}>
        <div class="flex items-center gap-2 border-b border-line p-3">
          <span aria-hidden="true">🔎</span>
          <label for="overlay-search" class="sr-only">
            Search products
          </label>
          <input
            ref={input}
            id="overlay-search"
            type="search"
            role="combobox"
            aria-expanded={hits().length > 0}
            aria-controls="overlay-results"
            aria-activedescendant={active() >= 0 ? `overlay-hit-${active()}` : undefined}
            aria-autocomplete="list"
            autocomplete="off"
            placeholder="Search products…"
            class="w-full rounded-lg border-0 bg-transparent px-1 text-lg text-ink"
            value={text()}
            onInput={(event) => onInput(event.currentTarget.value)}
          />
          <kbd class="rounded border border-line px-1.5 text-xs text-muted">Esc</kbd>
        </div>
        <div class="max-h-[60vh] overflow-y-auto p-2">
          <Show when={loading()}>
            <div class="p-2">
              <Spinner label="Searching…" />
            </div>
          </Show>
          <ErrorNote error={error()} />
          <OverlayHits hits={hits()} active={active()} onHover={setActive} onOpen={open} />
          <Show when={!loading() && answered() !== '' && answered() === text().trim() && hits().length === 0 && error() === null}>
            <p class="m-0 p-3 text-muted">No products match “{text().trim()}”.</p>
          </Show>
          <Show when={total() > hits().length}>
            <p class="m-0 p-3 text-sm text-muted">
              Shift+Enter or{' '}
              <button type="button" class="border-0 bg-transparent p-0 text-brand underline" onClick={openResultsPage}>
                see all {total()} results
              </button>{' '}
              with filters.
            </p>
          </Show>
          <Show when={text().trim() === ''}>
            <p class="m-0 p-3 text-sm text-muted">Type to search; typos are forgiven. ↑ ↓ to move, Enter to open, Shift+Enter for all results.</p>
          </Show>
        </div>
      </div>
    </div>
  );
}
