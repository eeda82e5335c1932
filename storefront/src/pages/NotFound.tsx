/**
 * The not-found page: for a path no route knows, and for a product or order that does not exist
 * (or no longer does). It says what is missing and offers ways on, never "Try again".
 */
import type { JSX } from 'solid-js';
import { Link } from '../components/Link.tsx';

const sentences = {
  page: { title: 'This page does not exist', body: 'The link may be mistyped or out of date.' },
  product: { title: 'This product is not available', body: 'It may have been removed by its seller, or the link is mistyped.' },
} as const;

export function NotFoundPage(props: { what?: keyof typeof sentences }): JSX.Element {
  const text = () => sentences[props.what ?? 'page'];
  return (
    <section class="card-premium mx-auto grid max-w-xl justify-items-center gap-3 p-8 text-center rise-in" data-testid="not-found" aria-labelledby="not-found-title">
      <div class="text-5xl" aria-hidden="true">
        🧭
      </div>
      <p class="m-0 text-sm font-semibold uppercase tracking-widest text-muted">Not found · 404</p>
      <h1 id="not-found-title" class="page-title m-0">
        {text().title}
      </h1>
      <p class="m-0 text-muted">{text().body}</p>
      <div class="mt-2 flex flex-wrap justify-center gap-2">
        <Link href="/" class="btn-premium min-h-11 no-underline">
          Back to the shop
        </Link>
        <Link href="/search" class="btn-ghost min-h-11 no-underline">
          Browse all products
        </Link>
      </div>
    </section>
  );
}
