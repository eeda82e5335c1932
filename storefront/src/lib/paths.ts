/**
 * Paths on this site, as links and `?next=` take them, and whether a link points at the page
 * shown: the rule of the router's <A> (@solidjs/router components.jsx), which components/Link.tsx
 * keeps.
 */

/** A path on this site: absolute, so it means the same from every page. */
export type SitePath = `/${string}`;

/** True for a path on this site; `//host/…` is refused, since a browser reads it as another site. */
export function isSitePath(value: string): value is SitePath {
  return value.startsWith('/') && !value.startsWith('//');
}

/** A path as <A> compares it: one leading slash, none trailing, lower case ('' for the root). */
function comparable(path: string): string {
  const trimmed = path.replace(/^\/+|(\/)\/+$/g, '$1');
  return (trimmed === '' ? '' : `/${trimmed}`).toLowerCase().replace(/\/$/, '');
}

export interface LinkMatch {
  /** The page shown is the link's path or (unless `end`) below it: the link is styled active. */
  readonly active: boolean;
  /** The page shown is exactly the link's path: aria-current="page". */
  readonly current: boolean;
}

/** How a link to `href` relates to the page at `pathname`; the query and hash do not count. */
export function linkMatch(href: SitePath, pathname: string, end: boolean): LinkMatch {
  const path = comparable(href.split(/[?#]/, 1)[0] ?? '');
  const here = decodeURI(comparable(pathname));
  return { active: end ? path === here : here.startsWith(`${path}/`) || here === path, current: path === here };
}
