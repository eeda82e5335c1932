/**
 * Seeds the demo data on first start (SEED_DEMO, default on): five sellers with 210 products
 * and generated images in the blob store, three buyers with funded wallets, and an admin. Every
 * step is idempotent (fixed ids and command ids), and the admin is created last as the marker
 * that the seed finished, so a start interrupted mid-seed completes it on the next start.
 */
import type { GatewayContext } from '../context.ts';
import { demoImageKey, productImageSet } from './png.ts';
import type { DemoSeller } from './catalog.ts';
import { adminLogin, demoBuyers, demoFundingMinor, demoPassword, demoProducts, demoSellers } from './catalog.ts';
import type { UserRole } from '../api-types.ts';

export interface DemoLogin {
  readonly role: UserRole;
  readonly email: string;
  readonly password: string;
}

export const demoLogins: readonly DemoLogin[] = [
  { role: 'ADMIN', email: adminLogin.email, password: adminLogin.password },
  ...demoBuyers.map((buyer) => ({ role: 'BUYER' as const, email: buyer.email, password: demoPassword })),
  ...demoSellers.map((seller) => ({ role: 'SELLER' as const, email: seller.email, password: demoPassword })),
];

function expectOk(result: { readonly ok: boolean; readonly code?: string; readonly message?: string }, what: string): void {
  if (!result.ok) throw new Error(`demo seed: ${what} failed: ${result.code}: ${result.message}`);
}

async function ensureUser(context: GatewayContext, id: string, email: string, role: UserRole, displayName: string, password: string): Promise<void> {
  if ((await context.users.findByEmail(email)) !== null) return;
  const passwordHash = await context.passwords.hash(password);
  await context.users.create({ id, email, role, displayName, passwordHash, createdAt: context.clock.now() });
}

async function seedSeller(context: GatewayContext, seller: DemoSeller, passwordHash: string): Promise<void> {
  if ((await context.users.findByEmail(seller.email)) === null) {
    await context.users.create({ id: seller.id, email: seller.email, role: 'SELLER', displayName: seller.name, passwordHash, createdAt: context.clock.now() });
  }
  const sellers = context.commands.sellers;
  expectOk(await sellers.ask(seller.id, { type: 'RegisterSeller', commandId: 'register', name: seller.name, email: seller.email }), 'register seller');
  for (const product of demoProducts(seller)) {
    const fields = { title: product.title, description: product.description, priceMinor: product.priceMinor, stock: product.stock, category: product.category };
    expectOk(await sellers.ask(seller.id, { type: 'CreateProduct', commandId: `create:${product.productId}`, productId: product.productId, fields }), 'create product');
    // The product's image is the largest width; the smaller sits beside it under the name the
    // storefront's srcset derives (storefront/src/components/ProductCard.tsx).
    const imageKey = demoImageKey(product.productId, null);
    if (!(await context.blobs.exists(imageKey))) {
      for (const image of productImageSet(product.hue, product.variant, product.category)) {
        await context.blobs.put(demoImageKey(product.productId, image.width), image.png, 'image/png');
      }
    }
    expectOk(await sellers.ask(seller.id, { type: 'AddProductImage', commandId: `image:${imageKey}`, productId: product.productId, imageKey }), 'add image');
  }
}

/** Seeds unless the seed already finished; answers whether it seeded now. */
export async function seedDemo(context: GatewayContext): Promise<boolean> {
  if ((await context.users.findByEmail(adminLogin.email)) !== null) return false;
  // One hash for all demo accounts: argon2 costs ~25 ms a hash, and they share the password.
  const passwordHash = await context.passwords.hash(demoPassword);
  for (const seller of demoSellers) await seedSeller(context, seller, passwordHash);
  for (const buyer of demoBuyers) {
    if ((await context.users.findByEmail(buyer.email)) === null) {
      await context.users.create({ id: buyer.id, email: buyer.email, role: 'BUYER', displayName: buyer.displayName, passwordHash, createdAt: context.clock.now() });
    }
    // A default shipping address, so a demo buyer can check out at once (issue #15 §5).
    if ((await context.addresses.list(buyer.id)).length === 0) {
      await context.addresses.add(buyer.id, `${buyer.id}-home`, buyer.address, true, context.clock.now());
    }
    expectOk(await context.commands.wallets.ask(buyer.id, { type: 'Deposit', commandId: 'seed:funding', amountMinor: demoFundingMinor }), 'fund buyer');
  }
  await ensureUser(context, adminLogin.id, adminLogin.email, 'ADMIN', adminLogin.displayName, adminLogin.password);
  return true;
}
