/**
 * The router's <A>, without its prop spread. <A> hands every other prop to its <a> with
 * `{...rest}`, and that spread alone pulled Solid's generic attribute machinery (spread, assign,
 * splitProps, the property and alias tables) into every visitor's bundle: 2.0 KiB gzipped of the
 * 60 KiB budget (storefront/check-bundle.mjs). This link names the few attributes our links use
 * and renders the DOM <A> rendered: `link`, `state` as JSON, the `inactive` class or `activeClass`
 * (default `active`), and aria-current="page" on the page itself (lib/paths.ts). Clicks and
 * preloading stay the router's: it handles every same-origin <a>, not only its own.
 *
 * Hrefs are absolute (SitePath), which <A> would have resolved to themselves.
 */
import { createMemo } from 'solid-js';
import type { JSX, ParentProps } from 'solid-js';
import { useLocation } from '@solidjs/router';
import { linkMatch } from '../lib/paths.ts';
import type { SitePath } from '../lib/paths.ts';

export interface LinkProps {
  readonly href: SitePath;
  readonly class?: string;
  /** Classes while the link points at the page shown (or one below it, unless `end`). */
  readonly activeClass?: string;
  /** Active only on exactly this path, not on its subpages. */
  readonly end?: boolean;
  /** History state for the page it opens (the router reads it from the attribute on click). */
  readonly state?: unknown;
  readonly onClick?: () => void;
  readonly 'aria-label'?: string;
  readonly 'data-testid'?: string;
  readonly 'data-order-id'?: string;
}

export function Link(props: ParentProps<LinkProps>): JSX.Element {
  const location = useLocation();
  const match = createMemo(() => linkMatch(props.href, location.pathname, props.end === true));
  const stateClass = (): string => (match().active ? (props.activeClass ?? 'active') : 'inactive');
  return (
    <a
      href={props.href}
      state={JSON.stringify(props.state)}
      class={props.class === undefined ? stateClass() : `${props.class} ${stateClass()}`}
      link
      aria-current={match().current ? 'page' : undefined}
      aria-label={props['aria-label']}
      data-testid={props['data-testid']}
      data-order-id={props['data-order-id']}
      onClick={props.onClick}
    >
      {props.children}
    </a>
  );
}
