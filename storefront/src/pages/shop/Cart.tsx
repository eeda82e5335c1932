/**
 * The cart, grouped by seller (one order per seller at checkout), with the buyer's wallet balance
 * and one "Place orders" request carrying the cart's client checkout id. The button is disabled
 * while the request runs, and the id survives a failed network attempt, so neither a double click
 * nor a retry can pay twice.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, revalidate, useAction, useNavigate } from '@solidjs/router';
import type { AddressDto, UserDto } from '../../../../gateway/api-types.ts';
import { ProductImage } from '../../components/ProductCard.tsx';
import { Async, EmptyState, ErrorNote, Money, PageHeader, Spinner } from '../../components/ui.tsx';
import { getMeOrNull } from '../../data/auth.ts';
import { cart, cartBySeller, cartTotalMinor, checkoutAction, checkoutFailureSentence, maxLineQty, removeLine, setLineQty } from '../../data/cart.ts';
import type { CartLine, SellerGroup } from '../../data/cart.ts';
import { getOrders } from '../../data/orders.ts';
import { getWallet } from '../../data/wallet.ts';
import { addressLine, getAddresses } from '../../data/addresses.ts';
import { centsToInput, formatCents } from '../../lib/money.ts';
import { useCommand } from '../../lib/command.ts';
import { Link } from '../../components/Link.tsx';

/** When to re-read the orders list after a checkout (a bounded handful, then live updates). */
const catchUpDelaysMs = [400, 1_200, 3_000];

function Line(props: { line: CartLine }): JSX.Element {
  const inputId = (): string => `qty-${props.line.productId}`;
  return (
    <li class="flex flex-wrap items-center gap-3 border-t border-line py-3 first:border-t-0">
      <ProductImage url={props.line.imageUrl} title={props.line.title} class="h-14 w-14 rounded-xl" />
      <div class="min-w-0 flex-1">
        <Link href={`/products/${encodeURIComponent(props.line.productId)}`} class="font-semibold no-underline hover:underline">
          {props.line.title}
        </Link>
        <div class="text-sm text-muted">
          <Money cents={props.line.priceMinor} /> each
        </div>
      </div>
      <div class="flex items-center gap-2">
        <label for={inputId()} class="text-sm text-muted">
          Quantity
        </label>
        <input
          id={inputId()}
          type="number"
          inputmode="numeric"
          min="1"
          max={maxLineQty}
          class="field !w-20"
          value={props.line.qty}
          onChange={(event) => {
            const qty = Number.parseInt(event.currentTarget.value, 10);
            if (Number.isInteger(qty) && qty >= 1) setLineQty(props.line.productId, qty);
            else event.currentTarget.value = String(props.line.qty);
          }}
        />
      </div>
      <Money cents={props.line.priceMinor * props.line.qty} class="w-24 text-right font-semibold" />
      <button type="button" class="btn-ghost !px-2 text-sm" aria-label={`Remove ${props.line.title}`} onClick={() => removeLine(props.line.productId)}>
        Remove
      </button>
    </li>
  );
}

function Group(props: { group: SellerGroup }): JSX.Element {
  return (
    <section data-testid="cart-group" class="card-premium p-4 rise-in" aria-label={`Items from ${props.group.sellerName}`}>
      <div class="mb-2 flex items-center justify-between gap-2">
        <h2 class="m-0 text-lg font-bold">
          <span aria-hidden="true">🏪 </span>
          {props.group.sellerName}
        </h2>
        <span class="text-sm text-muted">
          One order · <Money cents={cartTotalMinor(props.group.lines)} />
        </span>
      </div>
      <ul class="m-0 list-none p-0">
        <For each={props.group.lines}>{(line) => <Line line={line} />}</For>
      </ul>
    </section>
  );
}

/** The wallet against the total: the shortfall, with a one-click top-up that comes back here. */
function WalletBalance(props: { balance: number | undefined; total: number }): JSX.Element {
  const shortfall = (): number => Math.max(0, props.total - (props.balance ?? 0));
  return (
    <Show when={props.balance !== undefined} fallback={<Spinner label="Loading your balance…" />}>
      <div class="grid gap-1">
        <div class="flex items-center justify-between">
          <span class="text-muted">Wallet balance</span>
          <Money cents={props.balance ?? 0} testId="wallet-balance" class="font-semibold" />
        </div>
        <Show when={shortfall() > 0}>
          <p id="checkout-shortfall" data-testid="checkout-shortfall" class="m-0 text-sm text-warn">
            Your wallet is <Money cents={shortfall()} /> short of the total.{' '}
            <Link href={`/wallet?amount=${centsToInput(shortfall())}&next=%2Fcart`} class="font-semibold">
              Top up {formatCents(shortfall())}
            </Link>
          </p>
        </Show>
      </div>
    </Show>
  );
}

/** Where the orders go: the address book as choices, the default preselected (issue #15 §5). */
function ShipTo(props: { addresses: readonly AddressDto[] | undefined; chosen: string | null; choose: (id: string) => void }): JSX.Element {
  return (
    <Show when={props.addresses} fallback={<Spinner label="Loading your addresses…" />}>
      {(addresses) => (
        <fieldset class="m-0 grid gap-2 border-0 p-0" data-testid="ship-to">
          <legend class="mb-1 p-0 font-semibold">Ship to</legend>
          <For
            each={addresses()}
            fallback={
              <p id="checkout-no-address" class="m-0 text-sm text-warn">
                Add a shipping address to check out.{' '}
                <Link href="/account/addresses?next=%2Fcart" class="font-semibold">
                  Add an address
                </Link>
              </p>
            }
          >
            {(address) => (
              <label class="flex min-h-11 items-start gap-2 rounded-lg border border-line p-2 text-sm">
                <input type="radio" name="ship-to" class="mt-0.5 h-5 w-5 shrink-0" checked={props.chosen === address.id} onChange={() => props.choose(address.id)} />
                <span>{addressLine(address)}</span>
              </label>
            )}
          </For>
          <Show when={addresses().length > 0}>
            <Link href="/account/addresses?next=%2Fcart" class="text-sm">
              Manage addresses
            </Link>
          </Show>
        </fieldset>
      )}
    </Show>
  );
}

function BuyerCheckout(props: { total: number }): JSX.Element {
  const checkout = useAction(checkoutAction);
  const navigate = useNavigate();
  const wallet = createAsync(() => getWallet());
  const book = createAsync(() => getAddresses());
  const [picked, setPicked] = createSignal<string | null>(null);
  // The shopper's pick while it is still in the book, else the default.
  const shipTo = (): AddressDto | undefined => {
    const addresses = book()?.addresses ?? [];
    return addresses.find((address) => address.id === picked()) ?? addresses.find((address) => address.isDefault) ?? addresses[0];
  };
  const command = useCommand(checkoutFailureSentence);
  const short = (): boolean => (wallet()?.balanceMinor ?? 0) < props.total;

  async function place(): Promise<void> {
    const address = shipTo();
    if (address === undefined) return;
    const { id: _id, isDefault: _default, ...fields } = address;
    if (await command.run(() => checkout(fields))) {
      navigate('/orders');
      // The orders read model follows the saga a moment later; these few re-reads cover it.
      for (const delayMs of catchUpDelaysMs) window.setTimeout(() => void revalidate([getOrders.key, getWallet.key]), delayMs);
    } else if (command.error() !== null) void revalidate(getWallet.key);
  }

  const noAddress = (): boolean => book() !== undefined && shipTo() === undefined;
  const describedBy = (): string | undefined => (command.error() !== null ? 'checkout-error' : short() ? 'checkout-shortfall' : noAddress() ? 'checkout-no-address' : undefined);
  return (
    <>
      <ShipTo addresses={book()?.addresses} chosen={shipTo()?.id ?? null} choose={setPicked} />
      <WalletBalance balance={wallet()?.balanceMinor} total={props.total} />
      <button type="button" class="btn-premium w-full" disabled={command.pending() || cart.lines.length === 0 || wallet() === undefined || short() || shipTo() === undefined} aria-describedby={describedBy()} onClick={() => void place()}>
        <Show when={command.pending()} fallback="Place orders">
          <span class="inline-block h-4 w-4 animate-spin rounded-full border-2 border-white border-t-transparent" aria-hidden="true" />
          Place orders
        </Show>
      </button>
      <ErrorNote id="checkout-error" error={command.error()} />
    </>
  );
}

function Checkout(props: { user: UserDto | null | undefined }): JSX.Element {
  const total = (): number => cartTotalMinor();
  return (
    <aside class="card-premium grid content-start gap-4 p-5" aria-label="Checkout">
      <div class="flex items-center justify-between text-lg">
        <span class="font-semibold">Total</span>
        <Money cents={total()} class="font-extrabold" testId="cart-total" />
      </div>
      <p class="m-0 text-sm text-muted">
        {cartBySeller().length} {cartBySeller().length === 1 ? 'seller, one order' : 'sellers, one order each'}. Paid from your wallet and held in escrow until you confirm delivery.
      </p>
      <Show
        when={props.user}
        fallback={
          <Show when={props.user === null} fallback={<Spinner />}>
            <Link href="/login?next=%2Fcart" class="btn-premium no-underline">
              Log in to check out
            </Link>
          </Show>
        }
      >
        {(user) => (
          <Show when={user().role === 'BUYER'} fallback={<p class="m-0 text-sm text-muted">Only buyer accounts can check out.</p>}>
            <Async rows={1} fallback={<Spinner label="Loading your balance…" />}>
              <BuyerCheckout total={total()} />
            </Async>
          </Show>
        )}
      </Show>
    </aside>
  );
}

export function CartPage(): JSX.Element {
  const user = createAsync(() => getMeOrNull());
  return (
    <div>
      <PageHeader title="Your cart" subtitle="Grouped by seller: each seller ships their own order." />
      <Show
        when={cart.lines.length > 0}
        fallback={
          <EmptyState title="Your cart is empty" icon="🛒">
            <Link href="/search">Find something you like</Link>
          </EmptyState>
        }
      >
        <div class="grid gap-6 lg:grid-cols-[1fr_20rem]">
          <div class="grid content-start gap-4">
            <For each={cartBySeller()}>{(group) => <Group group={group} />}</For>
          </div>
          <Checkout user={user()} />
        </div>
      </Show>
    </div>
  );
}
