/**
 * Request validation at the edge (STYLE.md): every body, query and parameter goes through a
 * valibot schema. A failure is a 400 whose message names the field and what was wrong with it.
 */
import * as v from 'valibot';
import type { ApiRequest } from './http.ts';
import { ApiError } from './http.ts';
import { exceedsJsonDepth, maxJsonDepth } from './json-limits.ts';

type AnySchema = v.GenericSchema<unknown, unknown>;

function describe(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (first === undefined) return 'invalid request';
  const path = first.path?.map((item) => String(item.key)).join('.') ?? '';
  return path === '' ? first.message : `${path}: ${first.message}`;
}

export function parseWith<Schema extends AnySchema>(schema: Schema, input: unknown): v.InferOutput<Schema> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw new ApiError(400, 'invalid_request', describe(result.issues));
  return result.output;
}

/** The body as JSON, checked against `schema`. */
export function parseBody<Schema extends AnySchema>(request: ApiRequest, schema: Schema): v.InferOutput<Schema> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(request.body);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body must be valid UTF-8 JSON');
  }
  if (exceedsJsonDepth(text)) throw new ApiError(400, 'too_deeply_nested', `JSON may nest at most ${maxJsonDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body must be valid UTF-8 JSON');
  }
  return parseWith(schema, value);
}

/** Query parameters as a flat object of strings (the last value of a repeated name wins). */
export function parseQuery<Schema extends AnySchema>(request: ApiRequest, schema: Schema): v.InferOutput<Schema> {
  return parseWith(schema, Object.fromEntries(request.query.entries()));
}

export function parseParams<Schema extends AnySchema>(request: ApiRequest, schema: Schema): v.InferOutput<Schema> {
  return parseWith(schema, request.params);
}

// Shared field schemas.

/** The largest value of a PostgreSQL `integer` column (journal and notification seqs). */
export const maxInt32 = 2_147_483_647;

/**
 * A whole number given as query text, bounded by the column it reaches: `integer` columns take
 * `maxInt32`, `bigint` ones `Number.MAX_SAFE_INTEGER` (beyond it a JS number is no longer exact).
 */
export function wholeNumberQuery(max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^\d{1,16}$/, 'must be a whole number'),
    v.transform(Number),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** Ids we mint are UUIDs; client ids (checkoutId, commandId) are opaque but bounded. */
export const idSchema = v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1–100 letters, digits, _ or -'));

/** Integer cents, positive, at most one million dollars per movement (runtime bound). */
export const amountMinorSchema = v.pipe(
  v.number('must be a number of cents'),
  v.integer('must be a whole number of cents'),
  v.minValue(1, 'must be at least 1 cent'),
  v.maxValue(100_000_000, 'must be at most 100000000 cents'),
);

export const pageQuery = {
  page: v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}$/, 'must be a page number'), v.transform(Number), v.minValue(1, 'must be at least 1')), '1'),
  pageSize: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'must be a number'), v.transform(Number), v.minValue(1, 'must be at least 1'), v.maxValue(100, 'must be at most 100')),
    '20',
  ),
};
