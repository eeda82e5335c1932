/**
 * "Sign out everywhere" (issue #14): a user ends all of their sessions, and an operator ends all
 * of a user's (a stolen laptop, a compromised account). Every token of those sessions stops
 * working at once, and their sockets close in every process.
 */
import * as v from 'valibot';
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ApiError, noContent, ok } from '../http.ts';
import { idSchema, parseParams } from '../validate.ts';

function cookieCleared(context: GatewayContext): string {
  return `access_token=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0${context.config.cookieSecure ? '; Secure' : ''}`;
}

export const sessionRoutes: Route<GatewayContext>[] = [
  {
    method: 'POST',
    pattern: '/api/auth/logout-everywhere',
    access: 'user',
    tag: 'auth',
    summary: 'Sign out everywhere: ends every session of the signed-in user, this one included.',
    handler: async (request, context) => {
      if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
      await context.sessions.signOutEverywhere(request.principal.userId);
      return noContent({ 'Set-Cookie': cookieCleared(context) });
    },
  },
  {
    method: 'POST',
    pattern: '/api/admin/users/:id/sign-out',
    access: ['ADMIN'],
    tag: 'operators',
    summary: "Ends every session of a user (their tokens stop working, their sockets close); answers how many ended.",
    handler: async (request, context) => {
      const { id } = parseParams(request, v.object({ id: idSchema }));
      if ((await context.users.findById(id)) === null) throw new ApiError(404, 'not_found', 'no such user');
      return ok({ userId: id, sessionsEnded: await context.sessions.signOutEverywhere(id) });
    },
  },
];
