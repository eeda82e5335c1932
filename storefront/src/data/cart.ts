/**
 * The cart lives in localStorage (it survives reloads and works signed out) and is shown grouped
 * by seller, because checkout makes one order per seller. The checkout id is chosen once per cart
 * content and kept until the checkout succeeds, so a double click or a retry after a timeout
 * addresses the same checkout on the server instead of paying twice.
 */
import { action } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { cartLimits } from '../../../actors/checkout/cart-limits.ts';
import type { CheckoutDto, ProductDto, ShipToDto } from '../../../gateway/api-types.ts';
import { api, ApiFailure } from '../lib/api.ts';
import { describeError } from '../lib/errors.ts';
import { newClientId } from '../lib/ids.ts';

export interface CartLine {
  readonly productId: string;
  readonly title: string;
  readonly priceMinor: number;
  readonly sellerId: string;
  readonly sellerName: string;
  readonly imageUrl: string | null;
  readonly stock: number;
  readonly qty: number;
}

interface CartState {
  readonly lines: readonly CartLine[];
  /** Null until a checkout is attempted; reset whenever the content changes. */
  readonly checkoutId: string | null;
}

const storageKey = 'bazaary.cart.v1';
/** The domain's bounds on lines per checkout and on one line's qty, which the gateway enforces too. */
export const maxCartLines = cartLimits.linesMax;
export const maxLineQty = cartLimits.qtyMax;

function load(): CartState {
  try {
    const raw = localStorage.getItem(storageKey);
    if (raw === null) return { lines: [], checkoutId: null };
    const parsed = JSON.parse(raw) as Partial<CartState>;
    const lines = Array.isArray(parsed.lines) ? parsed.lines.filter((line) => typeof line?.productId === 'string' && Number.isInteger(line.qty) && line.qty > 0) : [];
    return { lines, checkoutId: typeof parsed.checkoutId === 'string' ? parsed.checkoutId : null };
  } catch {
    // A corrupt or foreign value is dropped rather than breaking every page.
    return { lines: [], checkoutId: null };
  }
}

// One signal over an immutable state: every change replaces the lines, so a store's fine-grained
// proxies (and the 1.5 KiB of solid-js/store in every page's bundle) would buy nothing here.
const [cartState, setCartState] = createSignal<CartState>(load());

/** The cart, read reactively: `cart.lines`, `cart.checkoutId`. */
export const cart: CartState = {
  get lines() {
    return cartState().lines;
  },
  get checkoutId() {
    return cartState().checkoutId;
  },
};

function setCart(next: CartState): void {
  setCartState(next);
}

function save(): void {
  localStorage.setItem(storageKey, JSON.stringify(cartState()));
}

// Another tab changed the cart: follow it, so two tabs never check out different contents.
window.addEventListener('storage', (event) => {
  if (event.key === storageKey) setCart(load());
});

export function cartCount(): number {
  return cart.lines.reduce((sum, line) => sum + line.qty, 0);
}

export function cartTotalMinor(lines: readonly CartLine[] = cart.lines): number {
  return lines.reduce((sum, line) => sum + line.priceMinor * line.qty, 0);
}

export interface SellerGroup {
  readonly sellerId: string;
  readonly sellerName: string;
  readonly lines: readonly CartLine[];
}

export function cartBySeller(): SellerGroup[] {
  const groups = new Map<string, SellerGroup>();
  for (const line of cart.lines) {
    const group = groups.get(line.sellerId) ?? { sellerId: line.sellerId, sellerName: line.sellerName, lines: [] };
    groups.set(line.sellerId, { ...group, lines: [...group.lines, line] });
  }
  return [...groups.values()];
}

/** False when the cart already holds the most lines one checkout accepts. */
export function addToCart(product: ProductDto, qty: number): boolean {
  const existing = cart.lines.find((line) => line.productId === product.id);
  if (existing === undefined && cart.lines.length >= maxCartLines) return false;
  const lines =
    existing === undefined
      ? [
          ...cart.lines,
          {
            productId: product.id,
            title: product.title,
            priceMinor: product.priceMinor,
            sellerId: product.sellerId,
            sellerName: product.sellerName,
            imageUrl: product.images[0] ?? null,
            stock: product.stock,
            qty: Math.min(maxLineQty, qty),
          },
        ]
      : cart.lines.map((line) => (line.productId === product.id ? { ...line, qty: Math.min(maxLineQty, line.qty + qty) } : line));
  setCart({ lines, checkoutId: null });
  save();
  return true;
}

export function setLineQty(productId: string, qty: number): void {
  const bounded = Math.max(1, Math.min(maxLineQty, Math.floor(qty)));
  setCart({ lines: cart.lines.map((line) => (line.productId === productId ? { ...line, qty: bounded } : line)), checkoutId: null });
  save();
}

export function removeLine(productId: string): void {
  setCart({ lines: cart.lines.filter((line) => line.productId !== productId), checkoutId: null });
  save();
}

export function clearCart(): void {
  setCart({ lines: [], checkoutId: null });
  save();
}

/** One request for the whole cart; the server splits it into one order per seller. */
export const checkoutAction = action(async (shipTo: ShipToDto): Promise<CheckoutDto> => {
  const checkoutId = cart.checkoutId ?? newClientId();
  if (cart.checkoutId === null) {
    setCart({ ...cartState(), checkoutId });
    save();
  }
  const items = cart.lines.map((line) => ({ productId: line.productId, qty: line.qty }));
  try {
    const result = await api<CheckoutDto>('/api/checkout', { method: 'POST', body: { checkoutId, items, shipTo } });
    clearCart();
    return result;
  } catch (error) {
    // A definite refusal (insufficient funds, out of stock) settled this checkout id for good;
    // a fresh id lets the buyer fix the cause and try again. A transient failure keeps the id.
    if (error instanceof ApiFailure && !error.transient) {
      setCart({ ...cartState(), checkoutId: null });
      save();
    }
    throw error;
  }
}, 'checkout');

/**
 * A refused checkout in one sentence that names what failed (issue #15 §1): the product short of
 * stock and its seller, or the wallet's shortfall. Nothing was charged either way: a checkout is
 * all or nothing, and the parts already paid were refunded before the answer came.
 */
export function checkoutFailureSentence(error: unknown): string {
  if (!(error instanceof ApiFailure)) return describeError(error);
  if (error.code === 'out_of_stock') {
    const found = /\("(.+)"\) has (\d+) in stock/.exec(error.message);
    const line = found === null ? undefined : cart.lines.find((candidate) => candidate.title === found[1]);
    if (found !== null) {
      const from = line === undefined ? '' : ` from ${line.sellerName}`;
      const left = Number(found[2]);
      return `"${found[1]}"${from} has ${left === 0 ? 'sold out' : `only ${left} left`}. Lower the quantity or remove it and try again; nothing was charged.`;
    }
  }
  if (error.code === 'insufficient_funds') return 'Your wallet could not cover the whole cart, so no order was placed and nothing was charged. Top up and try again.';
  return describeError(error);
}
