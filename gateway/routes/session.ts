/**
 * GET /api/session: who is signed in, or `{ user: null }`, always 200. The storefront asks on
 * every page load; `/api/me` answers a signed-out visitor 401, which the browser logs as a
 * console error on every signed-out page load (issue #15, §8).
 */
import type { UserDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ok } from '../http.ts';

export interface SessionDto {
  readonly user: UserDto | null;
}

export const currentSessionRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/session',
    access: 'public',
    tag: 'auth',
    summary: 'The signed-in user, or null when signed out (200 either way).',
    handler: async (request, context) => {
      const stored = request.principal === null ? null : await context.users.findById(request.principal.userId);
      const user: UserDto | null = stored === null ? null : { id: stored.id, email: stored.email, role: stored.role, displayName: stored.displayName, createdAt: stored.createdAt };
      const body: SessionDto = { user };
      return ok(body);
    },
  },
];
