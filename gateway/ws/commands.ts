/**
 * WebSocket commands are the HTTP routes under another name: each name maps to a route, its
 * `args` fill the path parameters and the JSON body (or query, for reads). They run through the
 * same Router, so validation, authorization and idempotency are exactly those of HTTP.
 */
export interface CommandRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly pattern: string;
}

export const wsCommands: Readonly<Record<string, CommandRoute>> = {
  checkout: { method: 'POST', pattern: '/api/checkout' },
  'wallet.get': { method: 'GET', pattern: '/api/wallet' },
  'wallet.deposit': { method: 'POST', pattern: '/api/wallet/deposit' },
  'wallet.withdraw': { method: 'POST', pattern: '/api/wallet/withdraw' },
  'orders.list': { method: 'GET', pattern: '/api/orders' },
  'orders.get': { method: 'GET', pattern: '/api/orders/:id' },
  'orders.ship': { method: 'POST', pattern: '/api/orders/:id/ship' },
  'orders.confirmDelivery': { method: 'POST', pattern: '/api/orders/:id/confirm-delivery' },
  'orders.cancel': { method: 'POST', pattern: '/api/orders/:id/cancel' },
  'orders.dispute': { method: 'POST', pattern: '/api/orders/:id/dispute' },
  'orders.resolve': { method: 'POST', pattern: '/api/orders/:id/resolve' },
  'products.create': { method: 'POST', pattern: '/api/products' },
  'products.update': { method: 'PATCH', pattern: '/api/products/:id' },
  'products.delete': { method: 'DELETE', pattern: '/api/products/:id' },
  search: { method: 'GET', pattern: '/api/search' },
};

export interface CommandRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Uint8Array;
}

/** Null when a path parameter is missing or not a string. */
export function toRequest(route: CommandRoute, args: Readonly<Record<string, unknown>>): CommandRequest | null {
  const rest: Record<string, unknown> = { ...args };
  let missing = false;
  const path = route.pattern.replace(/:([A-Za-z]+)/g, (_all, name: string) => {
    const value = rest[name];
    delete rest[name];
    if (typeof value !== 'string' || value === '') missing = true;
    return encodeURIComponent(typeof value === 'string' ? value : '');
  });
  if (missing) return null;
  if (route.method === 'GET') {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(rest)) if (value !== undefined) query.set(name, String(value));
    return { method: route.method, path, query, body: new Uint8Array() };
  }
  const body = Object.keys(rest).length === 0 && route.method === 'DELETE' ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(rest));
  return { method: route.method, path, query: new URLSearchParams(), body };
}
