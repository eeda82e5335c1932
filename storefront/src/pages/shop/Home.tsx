/** Home: a short hero, the categories (with counts) and the newest products as featured. */
import { For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync } from '@solidjs/router';
import { ProductCard } from '../../components/ProductCard.tsx';
import { Async, EmptyState, Skeleton } from '../../components/ui.tsx';
import { categoryLabel, getCategories, getFeatured } from '../../data/catalog.ts';
import { Link } from '../../components/Link.tsx';

/** Products on the home page: two rows on a wide screen. */
const featuredCount = 8;

function Categories(): JSX.Element {
  const categories = createAsync(() => getCategories());
  return (
    <Show when={categories()} fallback={<Skeleton rows={1} height="2.5rem" />}>
      {(list) => (
        <Show when={list().length > 0} fallback={<p class="text-muted">No categories yet.</p>}>
          <ul class="m-0 flex list-none flex-wrap gap-2 p-0">
            <For each={list()}>
              {(category) => (
                <li>
                  <Link href={`/search?category=${encodeURIComponent(category.slug)}`} class="btn-ghost no-underline">
                    {categoryLabel(category.slug)} <span class="badge tone-info">{category.count}</span>
                  </Link>
                </li>
              )}
            </For>
          </ul>
        </Show>
      )}
    </Show>
  );
}

function Featured(): JSX.Element {
  const products = createAsync(() => getFeatured(featuredCount));
  return (
    <Show when={products()} fallback={<Skeleton rows={2} height="14rem" />}>
      {(list) => (
        <Show when={list().length > 0} fallback={<EmptyState title="No products yet" icon="📦">Sellers have not listed anything so far.</EmptyState>}>
          <div class="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <For each={list()}>{(product) => <ProductCard product={product} />}</For>
          </div>
        </Show>
      )}
    </Show>
  );
}

export function Home(): JSX.Element {
  return (
    <div class="grid gap-10">
      <section class="card-premium overflow-hidden p-6 sm:p-10 rise-in">
        <p class="m-0 text-sm font-semibold uppercase tracking-widest text-accent">Escrowed marketplace</p>
        <h1 class="m-0 mt-2 text-3xl font-extrabold tracking-tight sm:text-5xl">Buy from independent sellers. Pay safely.</h1>
        <p class="m-0 mt-3 max-w-2xl text-muted">
          Your money waits in escrow until you confirm delivery, and every cent is journaled and audited.
        </p>
        <div class="mt-6 flex flex-wrap gap-3">
          <Link href="/search" class="btn-premium no-underline">
            Browse everything
          </Link>
        </div>
      </section>
      <section aria-labelledby="categories-title">
        <h2 id="categories-title" class="m-0 mb-3 text-xl font-bold">Categories</h2>
        <Async rows={1}>
          <Categories />
        </Async>
      </section>
      <section aria-labelledby="featured-title">
        <h2 id="featured-title" class="m-0 mb-3 text-xl font-bold">Featured products</h2>
        <Async rows={2}>
          <Featured />
        </Async>
      </section>
    </div>
  );
}
