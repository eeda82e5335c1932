/**
 * Search results with filters (price range, category, seller), facet counts and sort. The URL is
 * the state (`/search?q=&minPrice=&maxPrice=&category=&seller=&sort=&page=`, prices in cents), so
 * the back button and shared links work; the controls and the chips follow it. On a phone the
 * filters fold into a sheet behind one button.
 */
import { createEffect, createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useSearchParams } from '@solidjs/router';
import type { SearchDto } from '../../../../gateway/api-types.ts';
import { ProductCard } from '../../components/ProductCard.tsx';
import { Async, EmptyState, PageHeader, Pager, Skeleton } from '../../components/ui.tsx';
import { isSearchSort, searchProducts } from '../../data/search.ts';
import type { SearchParams } from '../../data/search.ts';
import { correctedQuery } from '../../lib/did-you-mean.ts';
import { FilterChips, Filters, wholeNumber } from './SearchFilters.tsx';
import type { Params } from './SearchFilters.tsx';
import { single } from '../../lib/params.ts';
import { Link } from '../../components/Link.tsx';

const pageSize = 24;

function Corrected(props: { q: string | undefined; result: SearchDto }): JSX.Element {
  const read = (): string | null => correctedQuery(props.q ?? '', props.result.hits);
  return (
    <Show when={read()}>
      {(spelling) => (
        <p class="m-0 mb-2 text-ink" data-testid="corrected">
          Showing results for <em class="font-semibold">{spelling()}</em>
          <span class="text-muted"> (you typed “{props.q}”). </span>
          <Link href={`/search?q=${encodeURIComponent(spelling())}`}>Search for “{spelling()}”</Link>
        </p>
      )}
    </Show>
  );
}

function Results(props: { q: string | undefined; result: SearchDto | undefined; page: number; set: (next: Params) => void }): JSX.Element {
  return (
    <Show when={props.result} fallback={<Skeleton rows={3} height="12rem" />}>
      {(result) => (
        <Show when={result().hits.length > 0} fallback={<EmptyState title="Nothing matches" icon="🔍">Try fewer words, another spelling, or clear a filter.</EmptyState>}>
          <Corrected q={props.q} result={result()} />
          <p class="m-0 mb-3 text-sm text-muted" role="status">
            {result().total} {result().total === 1 ? 'product' : 'products'}
          </p>
          <div class="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3">
            <For each={result().hits}>{(hit) => <ProductCard product={hit} />}</For>
          </div>
          <Pager page={props.page} total={result().total} pageSize={pageSize} onPage={(page) => props.set({ page: String(page) })} label="Pages" />
        </Show>
      )}
    </Show>
  );
}

/**
 * Wide screens show the filters beside the results; a phone keeps them in a sheet behind one
 * button. Until the button is used, CSS alone decides by width, so a resize never strands them.
 */
function FilterPanel(props: { params: Params; result: SearchDto | undefined; set: (next: Params) => void }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const active = (): number => ['category', 'seller', 'minPrice', 'maxPrice'].filter((key) => props.params[key as keyof Params] !== undefined).length;
  return (
    <aside class="card-premium self-start p-4" aria-label="Filters">
      <button type="button" class="btn-ghost min-h-11 w-full lg:hidden" aria-expanded={open()} aria-controls="filter-sheet" onClick={() => setOpen(!open())}>
        {open() ? 'Hide filters' : active() > 0 ? `Filters (${active()})` : 'Filters'}
      </button>
      <div id="filter-sheet" class="mt-3 lg:mt-0 lg:block" classList={{ hidden: !open() }}>
        <Filters params={props.params} result={props.result} set={(next) => props.set(next)} />
      </div>
    </aside>
  );
}

export function SearchPage(): JSX.Element {
  const [rawParams, setParams] = useSearchParams();
  const params = (): Params => ({
    q: single(rawParams.q),
    minPrice: single(rawParams.minPrice),
    maxPrice: single(rawParams.maxPrice),
    category: single(rawParams.category),
    seller: single(rawParams.seller),
    sort: single(rawParams.sort),
    page: single(rawParams.page),
  });
  const page = (): number => Math.max(1, wholeNumber(params().page) ?? 1);
  const query = (): SearchParams => {
    const current = params();
    return {
      q: current.q,
      minPrice: wholeNumber(current.minPrice),
      maxPrice: wholeNumber(current.maxPrice),
      category: current.category,
      seller: current.seller,
      sort: isSearchSort(current.sort) ? current.sort : undefined,
      page: page(),
      pageSize,
    };
  };
  const result = createAsync(() => searchProducts(query()));
  const set = (next: Params): void => setParams(next);
  const [text, setText] = createSignal('');
  createEffect(() => setText(params().q ?? ''));

  return (
    <div>
      <PageHeader title={params().q ? `Results for “${params().q}”` : 'All products'} />
      <form
        class="mb-4 flex gap-2"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          set({ q: text().trim() || undefined, page: undefined });
        }}
      >
        <label for="search-page-q" class="sr-only">
          Keywords
        </label>
        <input id="search-page-q" type="search" class="field" placeholder="Keywords…" value={text()} onInput={(event) => setText(event.currentTarget.value)} />
        <button type="submit" class="btn-premium">
          Find
        </button>
      </form>
      <FilterChips params={params()} result={result.latest} set={set} />
      <Async rows={3}>
        <div class="grid gap-6 lg:grid-cols-[16rem_1fr]">
          <FilterPanel params={params()} result={result.latest} set={set} />
          <section aria-label="Results">
            <Results q={params().q} result={result()} page={page()} set={set} />
          </section>
        </div>
      </Async>
    </div>
  );
}
