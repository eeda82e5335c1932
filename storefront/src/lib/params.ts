/**
 * Reading list pages' URL state (`?status=&page=`): the router gives an array for a repeated key,
 * and a page number from the address bar can be anything.
 */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `?page=` as a whole number from 1; anything else is the first page. */
export function pageParam(value: string | string[] | undefined): number {
  const page = Number(single(value));
  return Number.isInteger(page) && page > 0 ? page : 1;
}
