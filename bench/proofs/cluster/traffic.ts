/**
 * The proof's seeded marketplace traffic over real HTTP, through all three nodes: sellers with
 * products, funded buyers, and stories run side by side until told to stop: a deposit now and
 * then, a checkout of one or two sellers' products, each order shipped by its seller, then
 * confirmed by the buyer, disputed, or left for the escrow timer to release. Every command that
 * got a final 2xx is recorded with the journal key and command id it must appear under
 * (checks.ts); 4xx answers are final refusals, counted but not checked.
 */
import { walletKey, orderKey, checkoutKey } from '../../../actors/keys.ts';
import { SeededRandom } from '../../../actors/testing/seeded-random.ts';
import type { AuthDto, CheckoutDto, OrderDto, ProductDto } from '../../../gateway/api-types.ts';
import { scopedCheckoutId } from '../../../persistence/projections/readmodels/order-queries.ts';
import type { ClusterClient, Resend } from './cluster-client.ts';

export interface Account {
  readonly userId: string;
  readonly token: string;
}

export interface Acknowledged {
  readonly kind: 'deposit' | 'checkout' | 'ship' | 'confirm' | 'dispute';
  readonly key: string;
  /** The journal command id of a deposit, ship, confirm or dispute; for a checkout, the order ids it placed. */
  readonly commandId: string;
  readonly orderIds?: readonly string[];
}

export interface TrafficRecord {
  readonly acknowledged: Acknowledged[];
  /** Final answers by kind and status, e.g. `checkout 201`, `confirm 409 already_completed`. */
  readonly answers: Map<string, number>;
  /** Commands still without a final answer when given up: not known, never counted as acknowledged. */
  unanswered: number;
  /** Sends beyond the first, over all commands (503s, refused connections, attempts timed out). */
  resends: number;
  /** Per kind, the ms from the first send to the final answer. */
  readonly latencyMs: Map<string, number[]>;
  /** Orders shipped (acknowledged), and those then confirmed or disputed (acknowledged). */
  readonly shipped: Map<string, number>;
  readonly confirmed: Set<string>;
  readonly disputed: Set<string>;
  /** Order actions answered with a final refusal (4xx), by order: `confirm 409 invalid_transition`. */
  readonly refused: Map<string, string>;
}

const password = 'cluster-proof-password';
const fundingMinor = 5_000_000;

export async function registerUser(client: ClusterClient, role: 'BUYER' | 'SELLER', email: string): Promise<Account> {
  const result = await client.command<AuthDto>('POST', '/api/auth/register', undefined, { email, password, role });
  // A register whose first answer was lost and was sent again finds its own account.
  if (result.final && !result.answer.ok && result.answer.code === 'email_taken') {
    const auth = await client.expect<AuthDto>('POST', '/api/auth/login', undefined, { email, password });
    return { userId: auth.user.id, token: auth.token };
  }
  if (!result.final || !result.answer.ok) throw new Error(`register ${email} failed: ${result.final ? `${result.answer.status} ${result.answer.ok ? '' : result.answer.code}` : 'no final answer'}`);
  return { userId: result.answer.body.user.id, token: result.answer.body.token };
}

export interface Market {
  readonly sellers: readonly (Account & { readonly productIds: readonly string[] })[];
  readonly buyers: readonly Account[];
}

export async function setUpMarket(client: ClusterClient, seed: number, record: TrafficRecord): Promise<Market> {
  const run = `${seed}-${Date.now().toString(36)}`;
  const sellers = await Promise.all(
    [0, 1, 2].map(async (index) => {
      const seller = await registerUser(client, 'SELLER', `proof-${run}-seller-${index}@example.test`);
      const productIds: string[] = [];
      for (const product of [0, 1]) {
        const fields = { title: `Proof lamp ${index}-${product}`, description: 'A lamp that survives faults.', priceMinor: 1_000 + 250 * product + index, stock: 1_000_000, category: 'proof' };
        // Sent to a node that does not own the seller, the create may land and then answer 503
        // not_owner reading the product back; the resend carries the same command id, so the
        // seller actor answers the product it already created instead of making another.
        const body = { commandId: `proof-product-${product}`, ...fields };
        productIds.push((await client.expect<ProductDto>('POST', '/api/products', seller.token, body)).id);
      }
      return { ...seller, productIds };
    }),
  );
  const buyers = await Promise.all(
    Array.from({ length: 8 }, async (_, index) => {
      const buyer = await registerUser(client, 'BUYER', `proof-${run}-buyer-${index}@example.test`);
      await deposit(client, buyer, `funding-${index}`, fundingMinor, record);
      return buyer;
    }),
  );
  return { sellers, buyers };
}

export function newRecord(): TrafficRecord {
  return { acknowledged: [], answers: new Map(), unanswered: 0, resends: 0, latencyMs: new Map(), shipped: new Map(), confirmed: new Set(), disputed: new Set(), refused: new Map() };
}

function count(record: TrafficRecord, what: string): void {
  record.answers.set(what, (record.answers.get(what) ?? 0) + 1);
}

/** Sends a command to the end; returns its body when acknowledged (2xx), else null. */
async function send<Body>(client: ClusterClient, record: TrafficRecord, kind: Acknowledged['kind'], path: string, token: string, body: unknown, resend: Resend = {}, onRefused?: (what: string) => void): Promise<Body | null> {
  const sentAt = Date.now();
  const result = await client.command<Body>('POST', path, token, body, resend);
  record.resends += result.attempts - 1;
  const latencies = record.latencyMs.get(kind) ?? [];
  latencies.push(Date.now() - sentAt);
  record.latencyMs.set(kind, latencies);
  if (!result.final) {
    record.unanswered += 1;
    count(record, `${kind} unanswered`);
    return null;
  }
  count(record, result.answer.ok ? `${kind} ${result.answer.status}` : `${kind} ${result.answer.status} ${result.answer.code}`);
  if (!result.answer.ok) onRefused?.(`${kind} ${result.answer.status} ${result.answer.code} after ${result.attempts} attempt(s)`);
  return result.answer.ok ? result.answer.body : null;
}

export async function deposit(client: ClusterClient, account: Account, id: string, amountMinor: number, record: TrafficRecord): Promise<boolean> {
  const done = await send(client, record, 'deposit', '/api/wallet/deposit', account.token, { commandId: id, amountMinor });
  if (done !== null) record.acknowledged.push({ kind: 'deposit', key: walletKey(account.userId), commandId: `user:${id}` });
  return done !== null;
}

async function orderAction(client: ClusterClient, record: TrafficRecord, kind: 'ship' | 'confirm' | 'dispute', account: Account, orderId: string, id: string): Promise<boolean> {
  const path = kind === 'confirm' ? 'confirm-delivery' : kind;
  const body = kind === 'dispute' ? { commandId: id, reason: 'never arrived' } : { commandId: id };
  const done = await send(client, record, kind, `/api/orders/${orderId}/${path}`, account.token, body, {}, (what) => record.refused.set(orderId, what));
  if (done !== null) record.acknowledged.push({ kind, key: orderKey(orderId), commandId: `${path}:${account.userId}:${id}` });
  return done !== null;
}

/** The node whose lease holds a key's shard now, from the lease table. */
export type OwnerOf = (key: string) => Promise<string | undefined>;

/**
 * A checkout's first attempt goes to any node: its StartCheckout and its wait are forwarded to
 * the checkout key's owner. A resend (after a 503 or no answer) goes to the owner the lease table
 * names, as a load balancer with key affinity would. (Before reads were forwarded, a node that did
 * not own the key waited out the gateway's 15 s and answered 503 `timeout`, runtime/waiters.ts.)
 */

/** One story: maybe a deposit, a checkout, then each order shipped and confirmed, disputed or left to the timer. */
async function story(client: ClusterClient, market: Market, random: SeededRandom, id: string, record: TrafficRecord, ownerOf: OwnerOf): Promise<void> {
  const buyer = random.pick(market.buyers);
  if (random.chance(0.2)) await deposit(client, buyer, `${id}-top-up`, 10_000, record);
  const sellers = random.chance(0.3) ? [random.pick(market.sellers), random.pick(market.sellers)] : [random.pick(market.sellers)];
  const items = [...new Set(sellers.map((seller) => random.pick(seller.productIds)))].map((productId) => ({ productId, qty: random.int(1, 2) }));
  const key = checkoutKey(scopedCheckoutId(buyer.userId, id));
  const placed = await send<CheckoutDto>(client, record, 'checkout', '/api/checkout', buyer.token, { checkoutId: id, items }, { node: () => ownerOf(key) });
  if (placed === null) return;
  record.acknowledged.push({ kind: 'checkout', key, commandId: '', orderIds: placed.orderIds });
  const endings = placed.orderIds.map(() => random.next());
  await Promise.all(
    placed.orderIds.map(async (orderId, index) => {
      const seller = await sellerOf(client, market, buyer, orderId);
      if (seller === undefined || !(await orderAction(client, record, 'ship', seller, orderId, `${id}-ship-${index}`))) return;
      record.shipped.set(orderId, Date.now());
      const ending = endings[index] ?? 0;
      if (ending < 0.3 && (await orderAction(client, record, 'confirm', buyer, orderId, `${id}-confirm-${index}`))) record.confirmed.add(orderId);
      else if (ending >= 0.3 && ending < 0.5 && (await orderAction(client, record, 'dispute', buyer, orderId, `${id}-dispute-${index}`))) record.disputed.add(orderId);
    }),
  );
}

/** The order's seller, from the buyer's order page (the read model; a 404 while it lags is asked again). */
async function sellerOf(client: ClusterClient, market: Market, buyer: Account, orderId: string): Promise<Market['sellers'][number] | undefined> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const result = await client.command<OrderDto>('GET', `/api/orders/${orderId}`, buyer.token);
    const answer = result.final ? result.answer : null;
    if (answer?.ok === true) return market.sellers.find((seller) => seller.userId === answer.body.sellerId);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Runs `workers` story loops until `running()` turns false; story ids carry the seed. */
export async function runTraffic(client: ClusterClient, market: Market, seed: number, workers: number, running: () => boolean, record: TrafficRecord, ownerOf: OwnerOf): Promise<number> {
  let stories = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      const random = new SeededRandom(seed * 1_000 + worker);
      for (let index = 0; running(); index += 1) {
        await story(client, market, random, `s${seed}-w${worker}-${index}`, record, ownerOf);
        stories += 1;
      }
    }),
  );
  return stories;
}
