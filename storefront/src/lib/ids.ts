/**
 * Client-chosen ids (checkoutId, commandId) that make retries harmless. `crypto.randomUUID` only
 * exists in secure contexts, and the gateway may be opened over plain http on a LAN address, so
 * this falls back to a v4 UUID built from `getRandomValues`, which every context has.
 */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Command ids for a form whose submission may be sent again: the same key (what is asked: the
 * move and its amount, a new product's fields) keeps its id, so a retry after a network error is
 * answered with the first result instead of being done twice, and a changed key gets a new id.
 * `done` forgets the id once its submission succeeded. A refusal stores no reply and journals
 * nothing, so sending its id again simply asks again.
 */
export function retryableIds(): { idFor(key: string): string; done(): void } {
  let current: { key: string; id: string } | undefined;
  return {
    idFor: (key) => (current?.key === key ? current.id : (current = { key, id: newClientId() }).id),
    done: () => {
      current = undefined;
    },
  };
}
