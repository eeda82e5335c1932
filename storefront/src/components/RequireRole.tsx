/**
 * Route guard: a page for a role sends a signed-out visitor to /login (and back afterwards), and
 * tells a signed-in user with another role that the page is not for them. The page is built once
 * per user: `me` is revalidated after every action, and rebuilding the page then would wipe what
 * the user was typing.
 */
import { Show, untrack } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, Navigate, useLocation } from '@solidjs/router';
import type { UserDto, UserRole } from '../../../gateway/api-types.ts';
import { getMe, homeFor } from '../data/auth.ts';
import { Async, EmptyState } from './ui.tsx';
import { Link } from './Link.tsx';

export function RequireRole(props: { roles: readonly UserRole[]; children: (user: UserDto) => JSX.Element }): JSX.Element {
  const user = createAsync(() => getMe());
  const location = useLocation();
  const next = (): string => encodeURIComponent(`${location.pathname}${location.search}`);
  return (
    <Async rows={4}>
      <Show when={user()} fallback={<Show when={user() === null}><Navigate href={`/login?next=${next()}`} /></Show>}>
        {(current) => (
          <Show
            when={props.roles.includes(current().role)}
            fallback={
              <EmptyState title="This page is not for your account" icon="🔒">
                It is for {props.roles.join(' or ').toLowerCase()} accounts. <Link href={homeFor(current().role)}>Go to your start page</Link>.
              </EmptyState>
            }
          >
            {untrack(() => props.children(current()))}
          </Show>
        )}
      </Show>
    </Async>
  );
}
