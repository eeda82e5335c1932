/**
 * The cart's bounds: the domain's own limits, defined once here and imported by the checkout
 * decider, the gateway's request schema and the storefront. This module must stay pure and
 * import nothing, because the storefront bundles it into the browser.
 */
export const cartLimits = {
  /**
   * 50 lines. Every line may come from another seller, and each seller costs the checkout one
   * order saga (reserve stock, debit, credit, notify) that must all finish inside the gateway's
   * checkout wait; 50 bounds that fan-out and the size of the StartCheckout journal entry. The
   * storefront and the gateway have always capped carts at 50, so no cart already in a browser
   * holds more.
   */
  linesMax: 50,
  /** Per product, after merging repeated lines: one line's quantity is one stock check. */
  qtyMax: 1_000,
} as const;
