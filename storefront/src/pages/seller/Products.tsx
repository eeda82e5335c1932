/**
 * The seller's own products: search by title, page through them, edit or create. A product just
 * deleted is hidden at once (the navigation carries its id), as the index drops it a moment later.
 */
import { createEffect, createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useLocation, useSearchParams } from '@solidjs/router';
import type { UserDto } from '../../../../gateway/api-types.ts';
import { ProductImage } from '../../components/ProductCard.tsx';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, Money, PageHeader, Pager } from '../../components/ui.tsx';
import { categoryLabel } from '../../data/catalog.ts';
import { getSellerCatalog } from '../../data/seller.ts';
import { Link } from '../../components/Link.tsx';

const pageSize = 20;

function ProductList(props: { user: UserDto; text: string; page: number; onPage: (page: number) => void }): JSX.Element {
  const location = useLocation<{ deleted?: string }>();
  const catalog = createAsync(() => getSellerCatalog(props.user.id, props.text, props.page, pageSize));
  const visible = () => (catalog()?.hits ?? []).filter((product) => product.id !== location.state?.deleted);
  return (
    <Show when={catalog()}>
      {(result) => (
        <Show
          when={visible().length > 0}
          fallback={
            <EmptyState title={props.text === '' ? 'No products yet' : `No product matches “${props.text}”`} icon="🏷️">
              {props.text === '' ? 'Create your first listing to start selling.' : 'Try another word or clear the search.'}
            </EmptyState>
          }
        >
          <p class="m-0 mb-2 text-sm text-muted" role="status">
            {result().total} {result().total === 1 ? 'product' : 'products'}
          </p>
          <ul class="m-0 grid list-none gap-3 p-0">
            <For each={visible()}>
              {(product) => (
                <li data-testid="seller-product" class="card-premium flex flex-wrap items-center gap-4 p-3 rise-in">
                  <ProductImage url={product.imageUrl} title={product.title} class="h-16 w-16 rounded-xl" sizes="4rem" />
                  {/* A 10rem basis: on a phone the stock, price and Edit wrap below instead of squeezing the title under the badge. */}
                  <div class="min-w-0 flex-1 basis-40">
                    <Link href={`/seller/products/${encodeURIComponent(product.id)}/edit`} class="font-semibold">
                      {product.title}
                    </Link>
                    <div class="text-sm text-muted">{categoryLabel(product.category)}</div>
                  </div>
                  <Badge tone={product.stock === 0 ? 'bad' : product.stock <= 5 ? 'warn' : 'good'}>{product.stock} in stock</Badge>
                  <Money cents={product.priceMinor} class="w-24 text-right font-semibold" />
                  <Link href={`/seller/products/${encodeURIComponent(product.id)}/edit`} class="btn-ghost min-h-11 text-sm no-underline" aria-label={`Edit ${product.title}`}>
                    Edit
                  </Link>
                </li>
              )}
            </For>
          </ul>
          <Pager page={props.page} total={result().total} pageSize={pageSize} onPage={props.onPage} label="Product pages" />
        </Show>
      )}
    </Show>
  );
}

export default function SellerProducts(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const single = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
  const text = (): string => single(params.q);
  const page = (): number => Math.max(1, Number.parseInt(single(params.page), 10) || 1);
  const [typed, setTyped] = createSignal('');
  createEffect(() => setTyped(text()));
  return (
    <RequireRole roles={['SELLER']}>
      {(user) => (
        <div>
          <PageHeader title="Your products">
            <Link href="/seller/products/new" class="btn-premium min-h-11 no-underline">
              New product
            </Link>
          </PageHeader>
          <form
            class="mb-4 flex gap-2"
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              setParams({ q: typed().trim() || undefined, page: undefined });
            }}
          >
            <label for="seller-product-search" class="sr-only">
              Search your products
            </label>
            <input id="seller-product-search" type="search" class="field min-h-11" placeholder="Search your products…" value={typed()} onInput={(event) => setTyped(event.currentTarget.value)} />
            <button type="submit" class="btn-ghost min-h-11">
              Search
            </button>
          </form>
          <Async rows={4}>
            <ProductList user={user} text={text()} page={page()} onPage={(next) => setParams({ page: next === 1 ? undefined : String(next) })} />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
