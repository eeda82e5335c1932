/**
 * Every error code the gateway and the actors answer with, as a sentence a person can act on.
 * Collected with grep over gateway/ (ApiError codes, errors.ts), actors/ (decider rejections) and
 * runtime/ (ask failures). An unknown code falls back to the server's own message, so a new code
 * is still readable before it gets a sentence here.
 */
import { ApiFailure } from './api.ts';

const sentences: Readonly<Record<string, string>> = {
  // Client-side and transport.
  network: 'The server could not be reached. Check your connection and try again.',
  http_error: 'The server answered unexpectedly. Please try again.',
  // Requests and authentication (gateway).
  invalid_request: 'Some of the details are not valid.',
  invalid_json: 'The request was garbled on the way. Please try again.',
  unauthenticated: 'Please sign in to continue.',
  invalid_credentials: 'The email or password is wrong.',
  email_taken: 'An account with this email already exists. Try signing in instead.',
  forbidden: 'Your account is not allowed to do that.',
  rate_limited: 'Too many attempts. Please wait a minute and try again.',
  cross_site_request: 'A request from another website was refused. Open the shop directly and try again.',
  unsupported_media_type: 'The shop could not read that request. Please reload the page and try again.',
  too_deeply_nested: 'The request is nested too deeply.',
  payload_too_large: 'That is too large to upload.',
  too_many_images: 'This product already has as many images as it may have. Remove one first.',
  upload_quota_exceeded: 'Your shop has used its image allowance. Remove images you no longer need first.',
  unknown_actor: 'Nothing in the system has that key. Check it and search again.',
  unsupported_image: 'Use a PNG, JPEG, GIF or WebP image.',
  not_found: 'That could not be found.',
  // The address book (issue #15 §5).
  invalid_address: 'Check the address: every field but the second line is needed, and the country is a two-letter code such as US.',
  unknown_address: 'That address is no longer in your address book. Pick another.',
  address_book_full: 'Your address book is full. Delete an address you no longer use first.',
  method_not_allowed: 'That action is not available here.',
  internal: 'Something went wrong on our side. Please try again.',
  not_ready: 'The shop is still starting up. Please try again in a moment.',
  // Runtime answers (retry-safe).
  timeout: 'That took too long. Please try again; nothing will happen twice.',
  unavailable: 'The service is busy right now. Please try again; nothing will happen twice.',
  actor_stopped: 'The service was restarting. Please try again; nothing will happen twice.',
  not_owner: 'Your data is moving between servers. Please try again; nothing will happen twice.',
  conflict: 'Someone else changed this at the same moment. Please try again.',
  rolled_back: 'The service is busy right now. Please try again; nothing will happen twice.',
  mailbox_full: 'The shop is very busy right now. Please try again in a moment.',
  overloaded: 'The shop is very busy right now. Please try again in a moment.',
  unknown_actor_kind: 'There is no such kind of actor.',
  unknown_predicate: 'The service could not wait for that. Please try again.',
  too_many_commands: 'Too many requests at once. Please slow down.',
  unknown_command: 'That command is not known.',
  invalid_message: 'That message could not be understood.',
  stream_too_long: 'This history is too long to replay here.',
  invalid_cron: 'That schedule is not a valid cron expression.',
  mail_unavailable: 'Mail is not available on this server yet.',
  // Catalog and sellers.
  product_not_found: 'This product no longer exists.',
  invalid_product: 'Some of the product details are not valid.',
  product_exists: 'This product already exists.',
  out_of_stock: 'Not enough stock left for one of the items. Lower the quantity and try again.',
  own_product: 'You cannot buy your own product.',
  seller_not_registered: 'This seller is not registered.',
  seller_already_registered: 'This seller is already registered.',
  seller_suspended: 'This seller is suspended and cannot sell right now.',
  // Checkout and orders.
  empty_cart: 'Your cart is empty.',
  empty_order: 'An order needs at least one item.',
  empty_reservation: 'An order needs at least one item.',
  invalid_quantity: 'Quantities must be whole numbers of at least 1.',
  invalid_reservation: 'One of the quantities is not valid.',
  too_many_lines: 'Your cart has too many different items for one checkout.',
  unknown_reservation: 'The stock reservation for this order was not found.',
  checkout_exists: 'This checkout was already placed.',
  checkout_failed: 'The checkout failed and nothing was charged.',
  unknown_checkout: 'That checkout was not found.',
  order_failed: 'The order failed and nothing was charged.',
  order_exists: 'This order already exists.',
  unknown_order: 'That order was not found.',
  not_your_order: 'This is not your order.',
  invalid_transition: 'The order is not in a state that allows this any more.',
  awaiting_checkout: 'The checkout is still finishing. Try again in a moment.',
  not_disputed: 'This order is not disputed.',
  order_closed: 'This order is already closed.',
  unknown_step: 'That step of the order is not known.',
  no_such_step: 'That step of the order is not known.',
  gave_up: 'The order could not be completed after several attempts; any payment was refunded.',
  ship_by_expired: 'The order was not shipped in time and was refunded.',
  // Wallet and money.
  insufficient_funds: 'Your wallet does not have enough money for this. Deposit funds and try again.',
  amount_must_be_positive: 'The amount must be more than zero.',
  amount_not_integer: 'The amount must be whole cents.',
  fee_out_of_range: 'The fee is out of range.',
  already_released: 'These funds were already released.',
  already_voided: 'This payment was already undone.',
  refund_exceeds_debit: 'A refund cannot be larger than the payment.',
  conflicting_retry: 'This request was already sent with different details. Reload and try again.',
  balance_overflow: 'That would make the balance too large for a wallet.',
  transfer_exists: 'This transfer was already made.',
  not_enough: 'There is not enough for this.',
};

export function sentenceFor(code: string, message: string): string {
  return sentences[code] ?? (message === '' ? 'Something went wrong. Please try again.' : capitalize(message));
}

function capitalize(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * Any thrown value as a sentence. `invalid_request` keeps the server's detail (it names the field,
 * e.g. "price: must be at least 1"), because the generic sentence alone would not say what to fix.
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiFailure) {
    if (error.code === 'invalid_request' && error.message !== '') return `${sentences['invalid_request']} ${capitalize(error.message)}`;
    return sentenceFor(error.code, error.message);
  }
  if (error instanceof Error) return capitalize(error.message);
  return 'Something went wrong. Please try again.';
}

export function errorCode(error: unknown): string | null {
  return error instanceof ApiFailure ? error.code : null;
}

export const knownErrorCodes: readonly string[] = Object.keys(sentences);
