/** The seller's own products, with links to edit them and to create a new one. */
import { For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { A, createAsync } from '@solidjs/router';
import type { UserDto } from '../../../../gateway/api-types.ts';
import { ProductImage } from '../../components/ProductCard.tsx';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, Money, PageHeader } from '../../components/ui.tsx';
import { categoryLabel, getProducts } from '../../data/catalog.ts';

/** The gateway's largest page; a seller with more products pages through them on /search. */
const listSize = 100;

function ProductList(props: { user: UserDto }): JSX.Element {
  const products = createAsync(() => getProducts({ seller: props.user.id, pageSize: listSize }));
  return (
    <Show when={products()}>
      {(page) => (
        <Show when={page().items.length > 0} fallback={<EmptyState title="No products yet" icon="🏷️">Create your first listing to start selling.</EmptyState>}>
          <ul class="m-0 grid list-none gap-3 p-0">
            <For each={page().items}>
              {(product) => (
                <li data-testid="seller-product" class="card-premium flex flex-wrap items-center gap-4 p-3 rise-in">
                  <ProductImage url={product.images[0] ?? null} title={product.title} class="h-16 w-16 rounded-xl" />
                  <div class="min-w-0 flex-1">
                    <A href={`/seller/products/${encodeURIComponent(product.id)}/edit`} class="font-semibold">
                      {product.title}
                    </A>
                    <div class="text-sm text-muted">{categoryLabel(product.category)}</div>
                  </div>
                  <Badge tone={product.stock === 0 ? 'bad' : product.stock <= 5 ? 'warn' : 'good'}>{product.stock} in stock</Badge>
                  <Money cents={product.priceMinor} class="w-24 text-right font-semibold" />
                  <A href={`/seller/products/${encodeURIComponent(product.id)}/edit`} class="btn-ghost text-sm no-underline" aria-label={`Edit ${product.title}`}>
                    Edit
                  </A>
                </li>
              )}
            </For>
          </ul>
        </Show>
      )}
    </Show>
  );
}

export default function SellerProducts(): JSX.Element {
  return (
    <RequireRole roles={['SELLER']}>
      {(user) => (
        <div>
          <PageHeader title="Your products">
            <A href="/seller/products/new" class="btn-premium no-underline">
              New product
            </A>
          </PageHeader>
          <Async rows={4}>
            <ProductList user={user} />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
