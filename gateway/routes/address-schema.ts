/**
 * A shipping address at the edge (issue #15 §5): the address book's bodies and the checkout's
 * `shipTo` share these rules. Every field is trimmed and bounded, and may not hold control
 * characters (they would break the seller's packing slip); the country is an ISO 3166-1 alpha-2
 * code, stored upper case. A failure is a 400 `invalid_address` naming the field.
 */
import * as v from 'valibot';
import type { ShipToAddress } from '../../actors/order/ship-to.ts';
import { ApiError } from '../http.ts';
import { parseWith } from '../validate.ts';

/** Lengths a printed label holds; they also bound what every order of a checkout journals. */
export const addressLimits = { nameMax: 100, lineMax: 120, cityMax: 80, postalCodeMax: 16 } as const;

const noControl = /^[^\p{Cc}\p{Cf}]*$/u;
const field = (what: string, max: number) =>
  v.pipe(v.string(`the ${what} must be text`), v.trim(), v.minLength(1, `give the ${what}`), v.maxLength(max, `the ${what} may be at most ${max} characters`), v.regex(noControl, `the ${what} has characters we cannot print`));

const line2 = v.pipe(
  v.nullish(v.pipe(v.string('the second line must be text'), v.trim(), v.maxLength(addressLimits.lineMax, `the second line may be at most ${addressLimits.lineMax} characters`), v.regex(noControl, 'the second line has characters we cannot print'))),
  v.transform((value) => (value === undefined || value === null || value === '' ? null : value)),
);

export const addressEntries = {
  name: field('name', addressLimits.nameMax),
  line1: field('street address', addressLimits.lineMax),
  line2,
  city: field('city', addressLimits.cityMax),
  postalCode: v.pipe(field('postal code', addressLimits.postalCodeMax), v.regex(/^[\p{L}\p{N} -]+$/u, 'the postal code may hold only letters, digits, spaces and dashes')),
  countryCode: v.pipe(v.string('the country must be a code'), v.trim(), v.regex(/^[A-Za-z]{2}$/, 'the country must be a two-letter code such as US or DE'), v.toUpperCase()),
};

export const shipToSchema = v.strictObject(addressEntries, 'give the address as name, line1, line2, city, postalCode and countryCode');

/** Parses an address, answering 400 `invalid_address` (not the generic `invalid_request`) with the field. */
export function parseAddress(value: unknown): ShipToAddress {
  try {
    const parsed = parseWith(shipToSchema, value);
    return { ...parsed, line2: parsed.line2 ?? null };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'invalid_request') throw new ApiError(400, 'invalid_address', error.message);
    throw error;
  }
}
