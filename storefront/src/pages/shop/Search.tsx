/**
 * Search results with filters (price range, category, seller), facet counts and sort. The URL is
 * the state (`/search?q=&minPrice=&maxPrice=&category=&seller=&sort=&page=`, prices in cents), so
 * the back button and shared links work. Price fields are typed in dollars and parsed to cents.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useSearchParams } from '@solidjs/router';
import type { SearchDto } from '../../../../gateway/api-types.ts';
import { ProductCard } from '../../components/ProductCard.tsx';
import { Async, EmptyState, ErrorNote, PageHeader, Pager, Skeleton } from '../../components/ui.tsx';
import { categoryLabel } from '../../data/catalog.ts';
import { isSearchSort, searchProducts, searchSorts } from '../../data/search.ts';
import type { SearchParams } from '../../data/search.ts';
import { centsToInput, parseCents } from '../../lib/money.ts';

const pageSize = 24;

type Params = Partial<Record<'q' | 'minPrice' | 'maxPrice' | 'category' | 'seller' | 'sort' | 'page', string | undefined>>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

function PriceFilter(props: { params: Params; onApply: (min: string | undefined, max: string | undefined) => void }): JSX.Element {
  const initial = (cents: string | undefined): string => (wholeNumber(cents) === undefined ? '' : centsToInput(Number(cents)));
  const [min, setMin] = createSignal(initial(props.params.minPrice));
  const [max, setMax] = createSignal(initial(props.params.maxPrice));
  const [error, setError] = createSignal<string | null>(null);

  function apply(event: SubmitEvent): void {
    event.preventDefault();
    const parse = (text: string): number | undefined | string => {
      if (text.trim() === '') return undefined;
      const parsed = parseCents(text);
      return parsed.ok ? parsed.cents : parsed.reason;
    };
    const low = parse(min());
    const high = parse(max());
    if (typeof low === 'string' || typeof high === 'string') return void setError(typeof low === 'string' ? `Min price: ${low}` : `Max price: ${String(high)}`);
    if (low !== undefined && high !== undefined && low > high) return void setError('The min price must not be above the max price.');
    setError(null);
    props.onApply(low === undefined ? undefined : String(low), high === undefined ? undefined : String(high));
  }

  return (
    <form class="grid gap-2" onSubmit={apply}>
      <div class="grid grid-cols-2 gap-2">
        <div>
          <label for="min-price" class="field-label">
            Min price
          </label>
          <input id="min-price" class="field" inputmode="decimal" placeholder="0.00" value={min()} onInput={(event) => setMin(event.currentTarget.value)} />
        </div>
        <div>
          <label for="max-price" class="field-label">
            Max price
          </label>
          <input id="max-price" class="field" inputmode="decimal" placeholder="any" value={max()} onInput={(event) => setMax(event.currentTarget.value)} />
        </div>
      </div>
      <button type="submit" class="btn-ghost">
        Apply price
      </button>
      <ErrorNote error={error()} />
    </form>
  );
}

function Filters(props: { params: Params; result: SearchDto | undefined; set: (next: Params) => void }): JSX.Element {
  const categories = (): [string, number][] => Object.entries(props.result?.facets.category ?? {}).sort((a, b) => b[1] - a[1]);
  const sellers = (): [string, number][] => Object.entries(props.result?.facets.sellerId ?? {}).sort((a, b) => b[1] - a[1]);
  const sellerName = (id: string): string => props.result?.sellerNames[id] ?? 'Unknown seller';
  return (
    <aside class="card-premium grid content-start gap-4 self-start p-4" aria-label="Filters">
      <div>
        <label for="sort" class="field-label">
          Sort
        </label>
        <select id="sort" class="field" value={props.params.sort ?? 'relevance'} onChange={(event) => props.set({ sort: event.currentTarget.value, page: undefined })}>
          <For each={searchSorts}>{(sort) => <option value={sort.value}>{sort.label}</option>}</For>
        </select>
      </div>
      <div>
        <label for="category" class="field-label">
          Category
        </label>
        <select id="category" class="field" value={props.params.category ?? ''} onChange={(event) => props.set({ category: event.currentTarget.value || undefined, page: undefined })}>
          <option value="">All categories</option>
          <Show when={props.params.category !== undefined && !categories().some(([slug]) => slug === props.params.category)}>
            <option value={props.params.category}>{categoryLabel(props.params.category ?? '')}</option>
          </Show>
          <For each={categories()}>{([slug, count]) => <option value={slug}>{`${categoryLabel(slug)} (${count})`}</option>}</For>
        </select>
      </div>
      <div>
        <label for="seller" class="field-label">
          Seller
        </label>
        <select id="seller" class="field" value={props.params.seller ?? ''} onChange={(event) => props.set({ seller: event.currentTarget.value || undefined, page: undefined })}>
          <option value="">All sellers</option>
          <For each={sellers()}>{([id, count]) => <option value={id}>{`${sellerName(id)} (${count})`}</option>}</For>
        </select>
      </div>
      <PriceFilter params={props.params} onApply={(minPrice, maxPrice) => props.set({ minPrice, maxPrice, page: undefined })} />
      <Show when={categories().length > 0}>
        <div>
          <h2 class="m-0 mb-2 text-sm font-semibold text-muted">Categories in these results</h2>
          <ul class="m-0 grid list-none gap-1 p-0" data-testid="facets">
            <For each={categories()}>
              {([slug, count]) => (
                <li>
                  <button type="button" class="flex w-full items-center justify-between rounded-lg border-0 bg-transparent px-2 py-1 text-left text-ink hover:bg-[var(--c-hover)]" onClick={() => props.set({ category: slug, page: undefined })}>
                    <span>{categoryLabel(slug)}</span>
                    <span class="badge tone-info" data-testid="facet-count">{count}</span>
                  </button>
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
    </aside>
  );
}

function Results(props: { result: SearchDto | undefined; page: number; set: (next: Params) => void }): JSX.Element {
  return (
    <Show when={props.result} fallback={<Skeleton rows={3} height="12rem" />}>
      {(result) => (
        <Show when={result().hits.length > 0} fallback={<EmptyState title="Nothing matches" icon="🔍">Try fewer words, another spelling, or clear a filter.</EmptyState>}>
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
    const sort = current.sort;
    return {
      q: current.q,
      minPrice: wholeNumber(current.minPrice),
      maxPrice: wholeNumber(current.maxPrice),
      category: current.category,
      seller: current.seller,
      sort: isSearchSort(sort) ? sort : undefined,
      page: page(),
      pageSize,
    };
  };
  const result = createAsync(() => searchProducts(query()));
  const set = (next: Params): void => setParams(next);
  const [text, setText] = createSignal(params().q ?? '');

  return (
    <div>
      <PageHeader title={params().q ? `Results for “${params().q}”` : 'All products'} />
      <form
        class="mb-6 flex gap-2"
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
      <Async rows={3}>
        <div class="grid gap-6 lg:grid-cols-[16rem_1fr]">
          <Filters params={params()} result={result.latest} set={set} />
          <section aria-label="Results">
            <Results result={result()} page={page()} set={set} />
          </section>
        </div>
      </Async>
    </div>
  );
}
