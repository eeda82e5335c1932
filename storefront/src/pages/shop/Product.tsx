/** One product: images, price, seller, stock, quantity and "Add to cart". */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useLocation, useParams } from '@solidjs/router';
import type { ProductDto } from '../../../../gateway/api-types.ts';
import { ProductImage } from '../../components/ProductCard.tsx';
import type { CardProduct } from '../../components/ProductCard.tsx';
import { Async, ErrorNote, Skeleton } from '../../components/ui.tsx';
import { categoryLabel, getProduct } from '../../data/catalog.ts';
import { addToCart, cart, maxLineQty } from '../../data/cart.ts';
import { ApiFailure } from '../../lib/api.ts';
import { formatCents } from '../../lib/money.ts';
import { NotFoundPage } from '../NotFound.tsx';
import { Link } from '../../components/Link.tsx';

/** The gallery is half the 72rem page from 768 px up, the full width below. */
const pageImageSizes = '(min-width: 1152px) 560px, (min-width: 768px) 50vw, 100vw';

function Gallery(props: { product: ProductDto }): JSX.Element {
  const [selected, setSelected] = createSignal(0);
  const current = (): string | null => props.product.images[selected()] ?? props.product.images[0] ?? null;
  return (
    <div class="grid gap-3">
      <div class="card-premium overflow-hidden">
        <ProductImage url={current()} title={props.product.title} class="aspect-square w-full" sizes={pageImageSizes} />
      </div>
      <Show when={props.product.images.length > 1}>
        <div class="flex flex-wrap gap-2" role="group" aria-label="Images">
          <For each={props.product.images}>
            {(url, index) => (
              <button
                type="button"
                class={`overflow-hidden rounded-xl border-2 bg-transparent p-0 ${selected() === index() ? 'border-brand' : 'border-line'}`}
                aria-label={`Show image ${index() + 1}`}
                aria-pressed={selected() === index()}
                onClick={() => setSelected(index())}
              >
                <img src={url} alt="" class="block h-16 w-16 object-cover" />
              </button>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}

function Purchase(props: { product: ProductDto }): JSX.Element {
  const [qty, setQty] = createSignal(1);
  const [added, setAdded] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const inCart = (): number => cart.lines.find((line) => line.productId === props.product.id)?.qty ?? 0;
  const soldOut = (): boolean => props.product.stock === 0;

  function add(): void {
    const wanted = qty();
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > maxLineQty) {
      setError(`Choose a quantity from 1 to ${Math.min(maxLineQty, props.product.stock)}.`);
      return;
    }
    if (inCart() + wanted > props.product.stock) {
      setError(`Only ${props.product.stock} in stock${inCart() > 0 ? ` and ${inCart()} already in your cart` : ''}.`);
      return;
    }
    if (!addToCart(props.product, wanted)) {
      setError('Your cart is full. Check out or remove something first.');
      return;
    }
    setError(null);
    setAdded(`Added ${wanted} to your cart.`);
  }

  return (
    <div class="card-premium grid gap-4 p-5">
      <div class="flex flex-wrap items-center gap-3">
        <label for="product-qty" class="field-label !mb-0">
          Quantity
        </label>
        <input
          id="product-qty"
          type="number"
          inputmode="numeric"
          min="1"
          max={Math.max(1, Math.min(maxLineQty, props.product.stock))}
          class="field !w-24"
          value={qty()}
          disabled={soldOut()}
          aria-describedby={error() === null ? undefined : 'product-error'}
          onInput={(event) => setQty(Number.parseInt(event.currentTarget.value, 10))}
        />
        <button type="button" class="btn-premium" disabled={soldOut()} onClick={add}>
          Add to cart
        </button>
      </div>
      <ErrorNote id="product-error" error={error()} />
      <Show when={added()}>
        <p class="m-0 text-sm text-good" role="status">
          {added()} <Link href="/cart">Check out now</Link>
        </p>
      </Show>
    </div>
  );
}

function ProductView(): JSX.Element {
  const params = useParams();
  // A product that does not exist (or was deleted) is a not-found page, not an error to retry.
  const product = createAsync(() =>
    getProduct(params['id'] ?? '').catch((error: unknown) => {
      if (error instanceof ApiFailure && error.status === 404) return null;
      throw error;
    }),
  );
  return (
    <Show when={product() !== null} fallback={<NotFoundPage what="product" />}>
      <Show when={product()}>
      {(current) => (
        <article class="grid gap-8 md:grid-cols-2 rise-in">
          <Gallery product={current()} />
          <div class="grid content-start gap-4">
            <Link href={`/search?category=${encodeURIComponent(current().category)}`} class="text-sm uppercase tracking-widest text-accent no-underline">
              {categoryLabel(current().category)}
            </Link>
            <h1 class="page-title m-0">{current().title}</h1>
            <p class="m-0 tabular text-3xl font-extrabold" data-testid="product-price">
              {formatCents(current().priceMinor)}
            </p>
            <p class="m-0 text-muted">
              Sold by{' '}
              <Link href={`/search?seller=${encodeURIComponent(current().sellerId)}`} class="font-semibold text-ink" data-testid="product-seller">
                {current().sellerName}
              </Link>
            </p>
            <p class="m-0" data-testid="product-stock">
              <Show when={current().stock > 0} fallback={<span class="badge tone-bad">Out of stock</span>}>
                <span class={`badge ${current().stock <= 5 ? 'tone-warn' : 'tone-good'}`}>{current().stock} in stock</span>
              </Show>
            </p>
            <Purchase product={current()} />
            <Show when={current().description !== ''}>
              <section>
                <h2 class="m-0 mb-1 text-lg font-bold">About this product</h2>
                <p class="m-0 whitespace-pre-line text-muted">{current().description}</p>
              </section>
            </Show>
            <p class="m-0 text-sm text-muted">🛡️ Your payment stays in escrow until you confirm delivery.</p>
          </div>
        </article>
      )}
      </Show>
    </Show>
  );
}

/**
 * What a product card or search hit already knew, shown at once while the full product loads,
 * so the page has its title and price from the first frame instead of a skeleton.
 */
function Preview(props: { product: CardProduct }): JSX.Element {
  return (
    <article class="grid gap-8 md:grid-cols-2" aria-busy="true">
      <div class="card-premium overflow-hidden">
        <ProductImage url={props.product.imageUrl} title={props.product.title} class="aspect-square w-full" sizes={pageImageSizes} />
      </div>
      <div class="grid content-start gap-4">
        <span class="text-sm uppercase tracking-widest text-accent">{categoryLabel(props.product.category)}</span>
        <h1 class="page-title m-0">{props.product.title}</h1>
        <p class="m-0 tabular text-3xl font-extrabold">{formatCents(props.product.priceMinor)}</p>
        <p class="m-0 text-muted">Sold by {props.product.sellerName}</p>
        <Skeleton rows={2} />
      </div>
    </article>
  );
}

export function ProductPage(): JSX.Element {
  const params = useParams();
  const location = useLocation<{ preview?: CardProduct }>();
  const preview = (): CardProduct | null => {
    const candidate = location.state?.preview;
    return candidate !== undefined && candidate.id === params['id'] ? candidate : null;
  };
  return (
    <Async rows={4} fallback={<Show when={preview()} fallback={<Skeleton rows={4} />}>{(product) => <Preview product={product()} />}</Show>}>
      <ProductView />
    </Async>
  );
}
