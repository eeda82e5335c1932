/**
 * The shopper's address book (issue #15 §5): read on the account page and the cart; add, change,
 * make default and delete. The gateway validates every field (400 invalid_address names it).
 */
import { action, query, revalidate } from '@solidjs/router';
import type { AddressBookDto, AddressDto, ShipToDto } from '../../../gateway/api-types.ts';
import { api } from '../lib/api.ts';

export const getAddresses = query(() => api<AddressBookDto>('/api/account/addresses'), 'addresses');

/** Adds (id null) or changes an address; `isDefault` true makes it the default. */
export const saveAddress = action(async (id: string | null, fields: ShipToDto, isDefault: boolean): Promise<AddressDto> => {
  const path = id === null ? '/api/account/addresses' : `/api/account/addresses/${encodeURIComponent(id)}`;
  const saved = await api<AddressDto>(path, { method: id === null ? 'POST' : 'PATCH', body: { ...fields, isDefault } });
  await revalidate(getAddresses.key);
  return saved;
}, 'address-save');

export const makeDefaultAddress = action(async (id: string): Promise<void> => {
  await api(`/api/account/addresses/${encodeURIComponent(id)}`, { method: 'PATCH', body: { isDefault: true } });
  await revalidate(getAddresses.key);
}, 'address-default');

export const deleteAddress = action(async (id: string): Promise<void> => {
  await api(`/api/account/addresses/${encodeURIComponent(id)}`, { method: 'DELETE' });
  await revalidate(getAddresses.key);
}, 'address-delete');

/** One line for lists and packing slips: "Ann Lee, 1 Main St, Apt 2, Springfield 62701, US". */
export function addressLine(address: ShipToDto): string {
  return [address.name, address.line1, address.line2, `${address.city} ${address.postalCode}`, address.countryCode].filter(Boolean).join(', ');
}
