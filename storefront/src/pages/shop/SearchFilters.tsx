/**
 * The search page's filter controls and the chips of the filters in force. Every control reads its
 * value from the URL on each change (reload, shared link, back button), never only at mount.
 */
import { createEffect, createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import type { SearchDto } from '../../../../gateway/api-types.ts';
import { ErrorNote, FilterSelect } from '../../components/ui.tsx';
import { categoryLabel } from '../../data/catalog.ts';
import { searchSorts } from '../../data/search.ts';
import { centsToInput, formatCents, parseCents } from '../../lib/money.ts';

export type Params = Partial<Record<'q' | 'minPrice' | 'maxPrice' | 'category' | 'seller' | 'sort' | 'page', string | undefined>>;

export function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

const dollars = (cents: string | undefined): string => (wholeNumber(cents) === undefined ? '' : centsToInput(Number(cents)));

function parsePrice(text: string): number | undefined | string {
  if (text.trim() === '') return undefined;
  const parsed = parseCents(text);
  return parsed.ok ? parsed.cents : parsed.reason;
}

function PriceFilter(props: { params: Params; onApply: (min: string | undefined, max: string | undefined) => void }): JSX.Element {
  const [min, setMin] = createSignal('');
  const [max, setMax] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  // Follow the URL: a back button or a removed chip changes the bounds under the fields.
  createEffect(() => setMin(dollars(props.params.minPrice)));
  createEffect(() => setMax(dollars(props.params.maxPrice)));

  function apply(event: SubmitEvent): void {
    event.preventDefault();
    const low = parsePrice(min());
    const high = parsePrice(max());
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

export function Filters(props: { params: Params; result: SearchDto | undefined; set: (next: Params) => void }): JSX.Element {
  const byCount = (facet: Readonly<Record<string, number>> | undefined): [string, number][] => Object.entries(facet ?? {}).sort((a, b) => b[1] - a[1]);
  const sellerName = (id: string): string => props.result?.sellerNames[id] ?? 'Unknown seller';
  return (
    <div class="grid content-start gap-4">
      <FilterSelect id="sort" label="Sort" value={props.params.sort ?? 'relevance'} all={null} options={searchSorts.map((sort) => [sort.value, sort.label])} onChange={(sort) => props.set({ sort, page: undefined })} />
      <FilterSelect
        id="category"
        label="Category"
        value={props.params.category ?? ''}
        all="All categories"
        options={byCount(props.result?.facets.category).map(([slug, count]) => [slug, `${categoryLabel(slug)} (${count})`])}
        onChange={(category) => props.set({ category: category || undefined, page: undefined })}
      />
      <FilterSelect
        id="seller"
        label="Seller"
        value={props.params.seller ?? ''}
        all="All sellers"
        options={byCount(props.result?.facets.sellerId).map(([id, count]) => [id, `${sellerName(id)} (${count})`])}
        onChange={(seller) => props.set({ seller: seller || undefined, page: undefined })}
      />
      <PriceFilter params={props.params} onApply={(minPrice, maxPrice) => props.set({ minPrice, maxPrice, page: undefined })} />
    </div>
  );
}

interface Chip {
  readonly label: string;
  readonly clear: Params;
}

function chipsOf(params: Params, result: SearchDto | undefined): Chip[] {
  const chips: Chip[] = [];
  if (params.category) chips.push({ label: `Category: ${categoryLabel(params.category)}`, clear: { category: undefined } });
  if (params.seller) chips.push({ label: `Seller: ${result?.sellerNames[params.seller] ?? params.seller}`, clear: { seller: undefined } });
  const low = wholeNumber(params.minPrice);
  const high = wholeNumber(params.maxPrice);
  if (low !== undefined) chips.push({ label: `From ${formatCents(low)}`, clear: { minPrice: undefined } });
  if (high !== undefined) chips.push({ label: `Up to ${formatCents(high)}`, clear: { maxPrice: undefined } });
  const sort = searchSorts.find((candidate) => candidate.value === params.sort && candidate.value !== 'relevance');
  if (sort !== undefined) chips.push({ label: `Sort: ${sort.label}`, clear: { sort: undefined } });
  return chips;
}

/** The filters in force as removable chips, with "Clear all" once there are any. */
export function FilterChips(props: { params: Params; result: SearchDto | undefined; set: (next: Params) => void }): JSX.Element {
  const chips = (): Chip[] => chipsOf(props.params, props.result);
  const clearAll: Params = { category: undefined, seller: undefined, minPrice: undefined, maxPrice: undefined, sort: undefined, page: undefined };
  return (
    <Show when={chips().length > 0}>
      <ul class="m-0 mb-3 flex list-none flex-wrap items-center gap-2 p-0" aria-label="Active filters" data-testid="filter-chips">
        <For each={chips()}>
          {(chip) => (
            <li>
              <button type="button" class="inline-flex min-h-11 items-center gap-2 rounded-full border border-line bg-[var(--c-hover)] px-3 text-sm text-ink" aria-label={`Remove ${chip.label}`} onClick={() => props.set({ ...chip.clear, page: undefined })}>
                <span>{chip.label}</span>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          )}
        </For>
        <li>
          <button type="button" class="inline-flex min-h-11 items-center rounded-full border-0 bg-transparent px-3 text-sm font-semibold text-brand underline" onClick={() => props.set(clearAll)}>
            Clear all
          </button>
        </li>
      </ul>
    </Show>
  );
}
