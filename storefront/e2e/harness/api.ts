/**
 * The API as a signed-in browser context sees it: the context's own `access_token` cookie sent
 * as a Bearer token. The tests use it to check what the UI claims against the server's truth
 * (order counts, balances) without extra logins, which are limited to 5 a minute per IP.
 */
import type { BrowserContext } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import type { CheckoutDto, OrderDto, Page, WalletDto } from '../../../gateway/api-types.ts';

export interface Api {
  /** The bearer token, for the raw WebSocket client. */
  readonly token: string;
  get<Body>(path: string): Promise<Body>;
  post<Body>(path: string, body: unknown): Promise<Body>;
  /** POSTs raw bytes, e.g. an image upload. */
  upload<Body>(path: string, bytes: Uint8Array, contentType: string): Promise<Body>;
}

export function apiWithToken(baseUrl: string, token: string): Api {
  const call = async <Body>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Body> => {
    // A copy gives the bytes their own ArrayBuffer, which is what fetch's body type asks for.
    const payload = body instanceof Uint8Array ? new Uint8Array(body) : body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': contentType }) },
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? null : JSON.parse(text)) as Body;
  };
  return {
    token,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    upload: (path, bytes, contentType) => call('POST', path, bytes, contentType),
  };
}

/** The API as the context's signed-in user; fails when the context has not signed in. */
export async function apiOf(context: BrowserContext, baseUrl: string): Promise<Api> {
  const cookie = (await context.cookies()).find((candidate) => candidate.name === 'access_token' && candidate.value !== '');
  if (cookie === undefined) throw new Error('this browser context has no access_token cookie: sign in first');
  return apiWithToken(baseUrl, cookie.value);
}

export async function myOrders(api: Api): Promise<readonly OrderDto[]> {
  return (await api.get<Page<OrderDto>>('/api/orders?pageSize=100')).items;
}

export async function myWallet(api: Api): Promise<WalletDto> {
  return api.get<WalletDto>('/api/wallet');
}

/** Buys one of a product in a checkout of its own; answers the order's id. */
export async function checkoutOne(api: Api, productId: string): Promise<string> {
  const result = await api.post<CheckoutDto>('/api/checkout', { checkoutId: randomUUID(), items: [{ productId, qty: 1 }] });
  const orderId = result.orderIds[0];
  if (orderId === undefined) throw new Error('checkout made no order');
  return orderId;
}
