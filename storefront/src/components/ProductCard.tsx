/** A product tile linking to its page (ui-contract.md: data-testid="product-card"). */
import { Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { categoryLabel } from '../data/catalog.ts';
import { formatCents } from '../lib/money.ts';
import { Link } from './Link.tsx';

export interface CardProduct {
  readonly id: string;
  readonly title: string;
  readonly priceMinor: number;
  readonly sellerName: string;
  readonly category: string;
  readonly stock: number;
  readonly imageUrl: string | null;
}

/**
 * A demo product's image (`…/main.png`, 640 px) has a 320 px sibling (`…/main-320w.png`,
 * gateway/seed/png.ts), so the browser picks the one that is sharp at the size shown. Uploaded
 * images have one size and no srcset.
 */
export function srcsetOf(url: string): string | undefined {
  if (!/\/products\/[^/]+\/main\.png$/.test(url)) return undefined;
  return `${url.replace(/main\.png$/, 'main-320w.png')} 320w, ${url} 640w`;
}

/** The image's displayed width per layout: one column on phones, up to three at 1280 px. */
export const cardImageSizes = '(min-width: 1280px) 360px, (min-width: 640px) 50vw, 100vw';

export function ProductImage(props: { url: string | null; title: string; class?: string; sizes?: string }): JSX.Element {
  return (
    <Show
      when={props.url}
      fallback={
        <div class={`grid place-items-center bg-[linear-gradient(135deg,var(--c-brand),var(--c-accent))] text-4xl opacity-80 ${props.class ?? ''}`} aria-hidden="true">
          🛍️
        </div>
      }
    >
      {(url) => <img src={url()} srcset={srcsetOf(url())} sizes={srcsetOf(url()) === undefined ? undefined : (props.sizes ?? cardImageSizes)} alt={props.title} loading="lazy" decoding="async" class={`block object-cover ${props.class ?? ''}`} />}
    </Show>
  );
}

export function ProductCard(props: { product: CardProduct }): JSX.Element {
  return (
    <Link
      href={`/products/${encodeURIComponent(props.product.id)}`}
      state={{ preview: props.product }}
      data-testid="product-card"
      class="card-premium group flex flex-col overflow-hidden no-underline transition-transform duration-200 hover:-translate-y-1 rise-in"
    >
      <ProductImage url={props.product.imageUrl} title={props.product.title} class="aspect-[4/3] w-full" />
      <div class="flex flex-1 flex-col gap-1 p-4">
        <span class="text-xs uppercase tracking-wider text-muted">{categoryLabel(props.product.category)}</span>
        <span class="font-semibold leading-snug">{props.product.title}</span>
        <span class="text-sm text-muted">by {props.product.sellerName}</span>
        <div class="mt-auto flex items-center justify-between pt-2">
          <span class="tabular text-lg font-bold">{formatCents(props.product.priceMinor)}</span>
          <Show when={props.product.stock === 0}>
            <span class="badge tone-bad">Sold out</span>
          </Show>
        </div>
      </div>
    </Link>
  );
}

/** Product cards from the catalog (images[]) and from search (imageUrl) look the same. */
export function toCardProduct(product: { readonly id: string; readonly title: string; readonly priceMinor: number; readonly sellerName: string; readonly category: string; readonly stock: number; readonly images?: readonly string[]; readonly imageUrl?: string | null }): CardProduct {
  return {
    id: product.id,
    title: product.title,
    priceMinor: product.priceMinor,
    sellerName: product.sellerName,
    category: product.category,
    stock: product.stock,
    imageUrl: product.imageUrl ?? product.images?.[0] ?? null,
  };
}
