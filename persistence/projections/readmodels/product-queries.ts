/**
 * Catalog reads from the `products` read model (004_read_models.sql), joined with the seller's
 * display name. Money and counts are bigint columns; both SQL drivers return them as text or
 * bigint, so they are converted with Number (safe: prices and stock stay below 2^53).
 */
import type { Db, Row } from '../../adapters/db.ts';
import { distinctIds } from '../../adapters/id-list.ts';
import type { Page, ProductDto } from '../views.ts';
import { jsonArray, totalOf } from './rows.ts';

const productColumns = `p.seller_id, p.product_id, p.title, p.description, p.category, p.price_minor, p.stock,
  p.images, p.created_at, p.updated_at, coalesce(s.name, '') AS seller_name`;
/** Each product's seller name, probed by key (id-list.ts: a join could keep a scan of every seller). */
const sellerOfProduct = 'LEFT JOIN LATERAL (SELECT name FROM seller_stats WHERE seller_stats.seller_id = p.seller_id OFFSET 0) s ON true';
const productFrom = `products p ${sellerOfProduct}`;

/** The ids of `$1`, each probed through the products_by_id index (024_products_by_id.sql; id-list.ts). */
const byIds = distinctIds();

/** Image keys become stable gateway paths; the media route serves or presigns them. */
export function mediaPath(imageKey: string): string {
  return `/media/${imageKey}`;
}

function toProduct(row: Row): ProductDto {
  const images = jsonArray(row['images']);
  return {
    id: String(row['product_id']),
    sellerId: String(row['seller_id']),
    sellerName: String(row['seller_name']),
    title: String(row['title']),
    description: String(row['description']),
    category: String(row['category']),
    priceMinor: Number(row['price_minor']),
    currency: 'USD',
    stock: Number(row['stock']),
    images: images.map((key) => mediaPath(String(key))),
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
  };
}

export async function findProduct(db: Db, productId: string): Promise<ProductDto | null> {
  const rows = await db.query(`SELECT ${productColumns} FROM ${productFrom} WHERE p.product_id = $1 AND NOT p.deleted LIMIT 1`, [productId]);
  const row = rows[0];
  return row === undefined ? null : toProduct(row);
}

/** The given products as the read model holds them now, the deleted ones apart (for the search index). */
export async function findProductsByIds(db: Db, productIds: readonly string[]): Promise<{ live: ProductDto[]; deletedIds: string[] }> {
  const rows = await db.query(
    `SELECT ${productColumns}, p.deleted FROM ${byIds} CROSS JOIN LATERAL (SELECT * FROM products WHERE products.product_id = k.id OFFSET 0) p
     ${sellerOfProduct}`,
    [productIds],
  );
  const live: ProductDto[] = [];
  const deletedIds: string[] = [];
  for (const row of rows) {
    if (row['deleted'] === true) deletedIds.push(String(row['product_id']));
    else live.push(toProduct(row));
  }
  return { live, deletedIds };
}

export interface ProductListQuery {
  readonly page: number;
  readonly pageSize: number;
  readonly category?: string | undefined;
  readonly sellerId?: string | undefined;
}

export async function listProducts(db: Db, query: ProductListQuery): Promise<Page<ProductDto>> {
  const conditions = ['NOT p.deleted'];
  const params: unknown[] = [];
  if (query.category !== undefined) {
    params.push(query.category);
    conditions.push(`p.category = $${params.length}`);
  }
  if (query.sellerId !== undefined) {
    params.push(query.sellerId);
    conditions.push(`p.seller_id = $${params.length}`);
  }
  const where = conditions.join(' AND ');
  const counted = await db.query(`SELECT count(*) AS total FROM products p WHERE ${where}`, params);
  params.push(query.pageSize, (query.page - 1) * query.pageSize);
  // The page is cut first, so only its products look up their seller's name.
  const rows = await db.query(
    `SELECT ${productColumns}
     FROM (SELECT * FROM products p WHERE ${where} ORDER BY p.created_at DESC, p.product_id LIMIT $${params.length - 1} OFFSET $${params.length}) p
     ${sellerOfProduct}
     ORDER BY p.created_at DESC, p.product_id`,
    params,
  );
  return { items: rows.map(toProduct), page: query.page, pageSize: query.pageSize, total: totalOf(counted) };
}

/** Product id → seller id for the given products that exist and are not deleted (checkout's lookup). */
export async function sellersOfProducts(db: Db, productIds: readonly string[]): Promise<Map<string, string>> {
  if (productIds.length === 0) return new Map();
  const rows = await db.query(
    `SELECT p.product_id, p.seller_id FROM ${byIds}
     CROSS JOIN LATERAL (SELECT product_id, seller_id FROM products WHERE products.product_id = k.id AND NOT deleted OFFSET 0) p`,
    [productIds],
  );
  return new Map(rows.map((row) => [String(row['product_id']), String(row['seller_id'])]));
}
