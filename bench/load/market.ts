/**
 * Setting up a load run through the public API only, as a load tester against a deployed
 * Bazaary would: fresh sellers with products, fresh buyers with funded wallets (unique emails
 * per run, so runs never depend on the demo seed or on each other), and the admin's ledger audit
 * at the end.
 */
import type { AuthDto, Page, ProductDto, WalletDto } from '../../gateway/api-types.ts';
import type { LedgerAudit } from '../../persistence/projections/readmodels/audit-report.ts';
import { forEachConcurrently, sleep } from '../lib/pool.ts';
import { call, expectOk } from './api-client.ts';

export interface Account {
  readonly userId: string;
  readonly token: string;
}

export interface SellerAccount extends Account {
  readonly productIds: readonly string[];
}

export interface Market {
  readonly sellers: readonly SellerAccount[];
  readonly buyers: readonly Account[];
}

export interface MarketShape {
  readonly runId: string;
  readonly sellers: number;
  readonly productsPerSeller: number;
  readonly buyers: number;
  readonly fundingMinor: number;
}

/** Registrations in flight at once: each costs an argon2 hash (~25 ms of server CPU). */
const registerConcurrency = 4;
/** Stock per product: the API's maximum, so no load step runs out. */
const productStock = 1_000_000;
/** How long new products may take to reach the read model that checkout reads. */
const projectionWaitMs = 30_000;

const password = 'load-test-password';

export async function register(baseUrl: string, role: 'BUYER' | 'SELLER', email: string): Promise<Account> {
  const auth = await expectOk<AuthDto>(baseUrl, 'POST', '/api/auth/register', { body: { email, password, role } });
  return { userId: auth.user.id, token: auth.token };
}

export async function login(baseUrl: string, email: string, secret: string): Promise<string> {
  return (await expectOk<AuthDto>(baseUrl, 'POST', '/api/auth/login', { body: { email, password: secret } })).token;
}

async function createSeller(baseUrl: string, shape: MarketShape, index: number): Promise<SellerAccount> {
  const seller = await register(baseUrl, 'SELLER', `load-${shape.runId}-seller-${index}@example.test`);
  const productIds: string[] = [];
  for (let product = 0; product < shape.productsPerSeller; product += 1) {
    const fields = { title: `Load lamp ${index}-${product}`, description: 'A lamp made for load tests.', priceMinor: 1_000 + product, stock: productStock, category: 'load' };
    // The seller is new to this run, so the command id need only be unique among its products.
    const body = { commandId: `load-product-${index}-${product}`, ...fields };
    productIds.push((await expectOk<ProductDto>(baseUrl, 'POST', '/api/products', { token: seller.token, body })).id);
  }
  return { ...seller, productIds };
}

async function waitUntilListed(baseUrl: string, productIds: readonly string[]): Promise<void> {
  const deadline = Date.now() + projectionWaitMs;
  for (const productId of productIds) {
    while (!(await call(baseUrl, 'GET', `/api/products/${productId}`)).ok) {
      if (Date.now() > deadline) throw new Error(`product ${productId} did not reach the read model in ${projectionWaitMs} ms`);
      await sleep(100);
    }
  }
}

export async function setUpMarket(baseUrl: string, shape: MarketShape): Promise<Market> {
  const sellers: SellerAccount[] = [];
  await forEachConcurrently(shape.sellers, registerConcurrency, async (index) => {
    sellers[index] = await createSeller(baseUrl, shape, index);
  });
  const buyers: Account[] = [];
  await forEachConcurrently(shape.buyers, registerConcurrency, async (index) => {
    const buyer = await register(baseUrl, 'BUYER', `load-${shape.runId}-buyer-${index}@example.test`);
    await expectOk<WalletDto>(baseUrl, 'POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: `load-funding-${shape.runId}`, amountMinor: shape.fundingMinor } });
    buyers[index] = buyer;
  });
  await waitUntilListed(baseUrl, sellers.flatMap((seller) => seller.productIds));
  return { sellers, buyers };
}

/** Worker `index` of `count` gets every count-th seller and buyer: its buyers buy only from its sellers. */
export function partitionMarket(market: Market, index: number, count: number): Market {
  const mine = <Item>(items: readonly Item[]) => items.filter((_, position) => position % count === index);
  return { sellers: mine(market.sellers), buyers: mine(market.buyers) };
}

/** The products a browse run reads: the first page of the catalog, newest first. */
export async function catalogSample(baseUrl: string): Promise<ProductDto[]> {
  return [...(await expectOk<Page<ProductDto>>(baseUrl, 'GET', '/api/products?pageSize=100')).items];
}

/** How long sagas may take to settle after the last request before the audit's answer is final. */
const settleMaxMs = 30_000;

/**
 * The ledger audit as the admin sees it (GET /api/admin/ledger/audit). A saga still between two
 * steps when the load stops can show as money in flight, or, since the audit reads the streams
 * one after another, as a transient anomaly; so it is asked again until it is clean with nothing
 * in flight, or until `settleMaxMs`. Whatever it says then is the verdict.
 */
export async function auditWhenSettled(baseUrl: string, adminToken: string): Promise<LedgerAudit> {
  const deadline = Date.now() + settleMaxMs;
  for (;;) {
    const audit = await expectOk<LedgerAudit>(baseUrl, 'GET', '/api/admin/ledger/audit', { token: adminToken });
    if ((audit.ok && audit.inFlight.length === 0) || Date.now() > deadline) return audit;
    await sleep(500);
  }
}
