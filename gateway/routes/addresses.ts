/**
 * The shopper's address book (issue #15 §5): list, add, change (fields or "make default") and
 * delete shipping addresses. Buyers only, like checkout. Another user's address answers 404, so it
 * does not reveal that it exists. Bodies are JSON; cookie-authenticated writes pass the router's
 * Origin check like every other write.
 */
import * as v from 'valibot';
import type { StoredAddress } from '../../persistence/adapters/addresses.ts';
import type { AddressBookDto, AddressDto } from '../api-types.ts';
import { gatewayLimits } from '../app/limits.ts';
import type { GatewayContext } from '../context.ts';
import type { ApiRequest, Route } from '../http.ts';
import { ApiError, json, noContent, ok } from '../http.ts';
import { idSchema, parseBody, parseParams } from '../validate.ts';
import { parseAddress } from './address-schema.ts';

const { maxAddressesPerUser } = gatewayLimits.routes;
const addressParams = v.object({ id: idSchema });
/** The body's own flag; every other key is the address and goes through parseAddress. */
const withDefaultFlag = v.looseObject({ isDefault: v.optional(v.boolean('isDefault must be true or false')) });

function buyerIdOf(request: ApiRequest): string {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal.userId;
}

export function addressDto(address: StoredAddress): AddressDto {
  const { id, name, line1, line2, city, postalCode, countryCode, isDefault } = address;
  return { id, name, line1, line2, city, postalCode, countryCode, isDefault };
}

function splitBody(request: ApiRequest): { readonly makeDefault: boolean; readonly fields: Record<string, unknown> } {
  const { isDefault, ...fields } = parseBody(request, withDefaultFlag);
  return { makeDefault: isDefault === true, fields };
}

function unknownAddress(id: string): ApiError {
  return new ApiError(404, 'unknown_address', `no address ${id} in your address book`);
}

export const addressRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/account/addresses',
    access: ['BUYER'],
    tag: 'account',
    summary: 'My shipping addresses, the default first.',
    handler: async (request, context) => {
      const addresses = await context.addresses.list(buyerIdOf(request));
      const book: AddressBookDto = { addresses: addresses.map(addressDto), max: maxAddressesPerUser };
      return ok(book);
    },
  },
  {
    method: 'POST',
    pattern: '/api/account/addresses',
    access: ['BUYER'],
    tag: 'account',
    summary: `Add a shipping address (the first one, or isDefault: true, becomes the default); at most ${maxAddressesPerUser}.`,
    handler: async (request, context) => {
      const userId = buyerIdOf(request);
      const { makeDefault, fields } = splitBody(request);
      const added = await context.addresses.add(userId, context.ids.next(), parseAddress(fields), makeDefault, context.clock.now());
      if (added === null) throw new ApiError(409, 'address_book_full', `an address book holds at most ${maxAddressesPerUser} addresses; delete one first`);
      return json(201, addressDto(added));
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/account/addresses/:id',
    access: ['BUYER'],
    tag: 'account',
    summary: 'Change fields of one of my addresses, or make it the default (isDefault: true).',
    handler: async (request, context) => {
      const userId = buyerIdOf(request);
      const { id } = parseParams(request, addressParams);
      const { makeDefault, fields } = splitBody(request);
      const current = await context.addresses.find(userId, id);
      if (current === null) throw unknownAddress(id);
      const { name, line1, line2, city, postalCode, countryCode } = current;
      const address = parseAddress({ name, line1, line2, city, postalCode, countryCode, ...fields });
      const updated = await context.addresses.update(userId, id, address, makeDefault, context.clock.now());
      if (updated === null) throw unknownAddress(id);
      return ok(addressDto(updated));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/account/addresses/:id',
    access: ['BUYER'],
    tag: 'account',
    summary: 'Delete one of my addresses (deleting the default makes the newest remaining one the default).',
    handler: async (request, context) => {
      const { id } = parseParams(request, addressParams);
      if (!(await context.addresses.remove(buyerIdOf(request), id))) throw unknownAddress(id);
      return noContent();
    },
  },
];
