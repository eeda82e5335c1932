/**
 * Who is signed in. `getMe` answers null when signed out (a 401 is an answer here, not an error),
 * so the shell and the route guards can branch on it. The session itself is the gateway's
 * HttpOnly cookie; this code never sees the token.
 */
import { action, query, revalidate } from '@solidjs/router';
import type { AuthDto, UserDto, UserRole } from '../../../gateway/api-types.ts';
import type { SessionDto } from '../../../gateway/routes/session.ts';
import { api, ApiFailure } from '../lib/api.ts';
import type { SitePath } from '../lib/paths.ts';

export const getMe = query(async (): Promise<UserDto | null> => {
  try {
    // /api/session answers a signed-out visitor 200 with null, so a signed-out page load logs no
    // failed request in the console (/api/me answers 401).
    return (await api<SessionDto>('/api/session')).user;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return null;
    throw error;
  }
}, 'me');

/**
 * For the header and other chrome: a failed read (server unreachable) shows the signed-out
 * header instead of an error, while guarded pages use getMe and show the error with a retry.
 */
export function getMeOrNull(): Promise<UserDto | null> {
  return getMe().catch(() => null);
}

/** Where each role lands after signing in (ui-contract.md). */
export function homeFor(role: UserRole): SitePath {
  switch (role) {
    case 'BUYER':
      return '/';
    case 'SELLER':
      return '/seller';
    case 'ADMIN':
      return '/admin/actors';
    default: {
      const unknownRole: never = role;
      return unknownRole;
    }
  }
}

export const loginAction = action(async (email: string, password: string): Promise<UserDto> => {
  const auth = await api<AuthDto>('/api/auth/login', { method: 'POST', body: { email, password } });
  await revalidate(getMe.key);
  return auth.user;
}, 'login');

export interface Registration {
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
  readonly role: 'BUYER' | 'SELLER';
}

export const registerAction = action(async (registration: Registration): Promise<UserDto> => {
  const auth = await api<AuthDto>('/api/auth/register', { method: 'POST', body: registration });
  await revalidate(getMe.key);
  return auth.user;
}, 'register');

export const logoutAction = action(async (): Promise<void> => {
  await api<null>('/api/auth/logout', { method: 'POST' });
  await revalidate(getMe.key);
}, 'logout');
