/**
 * Seller-only catalog writes and the media route. The seller actor owns its catalog: a product
 * id that is not in the caller's own catalog is `product_not_found`, so one seller can never
 * touch another's products. Product ids are minted here (UUIDs), so they are unique across sellers.
 *
 * Creation is idempotent by the client's `commandId`, like a deposit: a seller whose request
 * timed out sends it again and gets the same product, never a second one (product-create.ts).
 */
import * as v from 'valibot';
import type { ProductFields } from '../../actors/seller/seller-messages.ts';
import type { CreateProductDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import { failureError, orThrow } from '../errors.ts';
import type { ApiRequest, Principal, Route } from '../http.ts';
import { ApiError, json, noContent, ok } from '../http.ts';
import { replayable } from '../idempotency.ts';
import { maxImageBytes, readImageUpload, type ImageUpload } from '../images.ts';
import { catalogLimits } from '../../actors/seller/seller-catalog.ts';
import { mediaPath } from '../../persistence/projections/readmodels/product-queries.ts';
import { idSchema, parseBody, parseParams } from '../validate.ts';
import { createOnce } from './product-create.ts';

const fields = {
  title: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(120)),
  description: v.pipe(v.string(), v.maxLength(2_000)),
  priceMinor: v.pipe(v.number(), v.integer('must be a whole number of cents'), v.minValue(1), v.maxValue(100_000_000)),
  stock: v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0), v.maxValue(1_000_000)),
  category: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,60}$/, 'must be a lowercase slug such as phones')),
};
const createBody = v.object({ commandId: idSchema, ...fields });
const patchBody = v.pipe(
  v.partial(v.object(fields)),
  v.check((patch) => Object.keys(patch).length > 0, 'change at least one field'),
);
const productParams = v.object({ id: idSchema });

function seller(request: ApiRequest): Principal {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal;
}

/** The calling seller and the product id in the path, for the routes on one product. */
function sellerAndProduct(request: ApiRequest): { sellerId: string; id: string } {
  return { sellerId: seller(request).userId, id: parseParams(request, productParams).id };
}

/** The product as the seller actor holds it now (the read model may lag a moment behind). */
async function ownProduct(context: GatewayContext, sellerId: string, productId: string) {
  const inspected = await context.commands.sellers.inspect(sellerId);
  if (!inspected.ok) throw failureError(inspected);
  const product = inspected.state.products[productId];
  if (product === undefined || product.deleted) throw new ApiError(404, 'product_not_found', `you have no product ${productId}`);
  const liveImages = Object.values(inspected.state.products).reduce((sum, each) => sum + (each.deleted ? 0 : each.images.length), 0);
  return { product, sellerName: inspected.state.name, liveImages };
}

/**
 * Every rule an upload must pass, checked before the blob store is touched (issue #14): the
 * product's image limit (the seller actor's own rule, asked again here so a refused upload
 * writes nothing) and the seller's quota over all its live products.
 */
async function checkUpload(context: GatewayContext, sellerId: string, productId: string): Promise<void> {
  const { product, liveImages } = await ownProduct(context, sellerId, productId);
  if (product.images.length >= catalogLimits.imagesPerProductMax) {
    throw new ApiError(422, 'too_many_images', `a product has at most ${catalogLimits.imagesPerProductMax} images`);
  }
  if (liveImages >= context.config.uploadQuotaImages) {
    throw new ApiError(422, 'upload_quota_exceeded', `a seller holds at most ${context.config.uploadQuotaImages} images; delete some first`);
  }
}

/** Stores the image, then records it; a refusal or a fault in between deletes what was written. */
async function storeImage(context: GatewayContext, sellerId: string, productId: string, image: ImageUpload): Promise<string> {
  const imageKey = `products/${productId}/${context.ids.next()}.${image.extension}`;
  await context.blobs.put(imageKey, image.bytes, image.contentType);
  try {
    orThrow(await context.commands.sellers.ask(sellerId, { type: 'AddProductImage', commandId: `image:${imageKey}`, productId, imageKey }));
    return imageKey;
  } catch (error) {
    // A timeout may still have recorded it; the key is fresh, so only this request could, and
    // an image the product lists but the store lacks answers 404 rather than leaking a file.
    await context.blobs.delete(imageKey).catch((cause: unknown) => context.logger.warn({ err: cause, imageKey }, 'could not delete a refused upload'));
    throw error;
  }
}

async function describeOwn(context: GatewayContext, sellerId: string, productId: string) {
  const { product, sellerName } = await ownProduct(context, sellerId, productId);
  return { id: productId, sellerId, sellerName, ...pick(product), currency: 'USD', images: product.images.map(mediaPath), createdAt: product.createdAt, updatedAt: product.updatedAt };
}

function pick(product: ProductFields): ProductFields {
  return { title: product.title, description: product.description, priceMinor: product.priceMinor, stock: product.stock, category: product.category };
}

export const productWriteRoutes: Route<GatewayContext>[] = [
  {
    method: 'POST',
    pattern: '/api/products',
    access: ['SELLER'],
    tag: 'catalog',
    summary: 'Create a product in my catalog (price in cents); idempotent by commandId.',
    handler: async (request, context) => {
      const sellerId = seller(request).userId;
      const { commandId, ...asked }: CreateProductDto = parseBody(request, createBody);
      return replayable(context, { scope: `products/create:${sellerId}`, commandId, request: asked }, async () => {
        const productId = await createOnce(context, sellerId, commandId, asked);
        return json(201, await describeOwn(context, sellerId, productId));
      });
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/products/:id',
    access: ['SELLER'],
    tag: 'catalog',
    summary: 'Change fields of one of my products.',
    handler: async (request, context) => {
      const { sellerId, id } = sellerAndProduct(request);
      const parsed = parseBody(request, patchBody);
      // exactOptionalPropertyTypes: keep only the fields the client sent.
      const patch: Partial<ProductFields> = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
      orThrow(await context.commands.sellers.ask(sellerId, { type: 'UpdateProduct', commandId: `update:${id}:${context.ids.next()}`, productId: id, patch }));
      return ok(await describeOwn(context, sellerId, id));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/products/:id',
    access: ['SELLER'],
    tag: 'catalog',
    summary: 'Delete one of my products and its images.',
    handler: async (request, context) => {
      const { sellerId, id } = sellerAndProduct(request);
      const { product } = await ownProduct(context, sellerId, id);
      orThrow(await context.commands.sellers.ask(sellerId, { type: 'DeleteProduct', commandId: `delete:${id}`, productId: id }));
      // The product is gone, so its images must stop answering and stop costing disk. A failed
      // delete is logged: the product no longer lists the key, so nothing links to the file.
      for (const imageKey of product.images) {
        await context.blobs.delete(imageKey).catch((cause: unknown) => context.logger.warn({ err: cause, imageKey }, 'could not delete an image of a deleted product'));
      }
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: '/api/products/:id/images',
    access: ['SELLER'],
    tag: 'catalog',
    summary: 'Upload an image (PNG, JPEG, GIF, WebP; raw body or multipart) for one of my products: at most 20 a product (422 too_many_images) and UPLOAD_QUOTA_IMAGES a seller (422 upload_quota_exceeded).',
    maxBodyBytes: maxImageBytes + 64 * 1024,
    // Raw image bytes or a form; the edge still refuses them from a foreign origin (gateway/browser-guard.ts).
    bodyTypes: ['multipart/form-data', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/octet-stream'],
    handler: async (request, context) => {
      const { sellerId, id } = sellerAndProduct(request);
      await checkUpload(context, sellerId, id);
      const image = readImageUpload(request.body, request.headers['content-type']);
      const imageKey = await storeImage(context, sellerId, id, image);
      return json(201, { url: mediaPath(imageKey), product: await describeOwn(context, sellerId, id) });
    },
  },
  {
    method: 'GET',
    pattern: '/media/products/:productId/:file',
    access: 'public',
    tag: 'catalog',
    summary: 'A product image: served from the local store, or redirected to a presigned S3 URL.',
    handler: async (request, context) => {
      const { productId, file } = parseParams(request, v.object({ productId: idSchema, file: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,100}\.(png|jpg|gif|webp)$/, 'must be an image file name')) }));
      const key = `products/${productId}/${file}`;
      if (context.config.s3 !== undefined) return { status: 302, headers: { Location: await context.blobs.url(key) }, body: { kind: 'empty' } };
      const blob = await context.blobs.get(key);
      if (blob === null) throw new ApiError(404, 'not_found', 'no such image');
      return { status: 200, headers: { 'Cache-Control': 'public, max-age=31536000, immutable' }, body: { kind: 'bytes', bytes: blob.bytes, contentType: blob.contentType } };
    },
  },
];
