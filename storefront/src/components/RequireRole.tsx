/**
 * Route guard: a page for a role sends a signed-out visitor to /login (and back afterwards), and
 * tells a signed-in user with another role that the page is not for them. The page is built once
 * per user: `me` is revalidated after every action, and rebuilding the page then would wipe what
 * the user was typing.
 */
import { Match, Switch, untrack } from 'solid-js';
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
      <Switch>
        <Match when={user() === null}>
          <Navigate href={`/login?next=${next()}`} />
        </Match>
        <Match when={user()}>
          {(current) => (
            <Switch>
              <Match when={props.roles.includes(current().role)}>{untrack(() => props.children(current()))}</Match>
              <Match when={true}>
                <EmptyState title="This page is not for your account" icon="🔒">
                  It is for {props.roles.join(' or ').toLowerCase()} accounts. <Link href={homeFor(current().role)}>Go to your start page</Link>.
                </EmptyState>
              </Match>
            </Switch>
          )}
        </Match>
      </Switch>
    </Async>
  );
}
