/**
 * Register, login, logout and me (DESIGN.md §5). The token goes into the HttpOnly
 * `access_token` cookie and is also returned for Bearer clients; either names a server-side
 * session that logout ends (gateway/auth/sessions.ts). Login and registration are limited per IP
 * before any password is hashed, so the limiters also bound the argon2 work an attacker can cause.
 */
import * as v from 'valibot';
import type { AuthDto, UserDto } from '../api-types.ts';
import type { GatewayContext, RateLimiter, StoredUser } from '../context.ts';
import { orThrow } from '../errors.ts';
import type { Route } from '../http.ts';
import { ApiError, json, noContent, ok } from '../http.ts';
import { tokenLifetimeMs } from '../auth/tokens.ts';
import { welcomeMail } from '../../persistence/projections/mail/plan.ts';
import { parseBody } from '../validate.ts';

const email = v.pipe(v.string('must be a string'), v.trim(), v.toLowerCase(), v.maxLength(254), v.email('must be an email address'));
const password = v.pipe(v.string('must be a string'), v.minLength(8, 'must be at least 8 characters'), v.maxLength(200, 'must be at most 200 characters'));
const registerBody = v.object({
  email,
  password,
  role: v.picklist(['BUYER', 'SELLER'], 'must be BUYER or SELLER'),
  displayName: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(80))),
});
const loginBody = v.object({ email, password: v.pipe(v.string('must be a string'), v.maxLength(200)) });

function toUserDto(user: StoredUser): UserDto {
  return { id: user.id, email: user.email, role: user.role, displayName: user.displayName, createdAt: user.createdAt };
}

function cookie(context: GatewayContext, token: string, maxAgeSeconds: number): string {
  return `access_token=${token}; HttpOnly; Path=/; SameSite=Lax; Max-Age=${maxAgeSeconds}${context.config.cookieSecure ? '; Secure' : ''}`;
}

/**
 * A SELLER account needs its seller actor registered. Registration runs right after the user row
 * is written; if it failed then (a timeout, a crash between the two), signing in repairs it, so
 * an account can never be left unable to sell.
 */
async function ensureSellerRegistered(context: GatewayContext, user: StoredUser): Promise<void> {
  if (user.role !== 'SELLER') return;
  const inspected = await context.commands.sellers.inspect(user.id);
  if (inspected.ok && inspected.state.registered) return;
  orThrow(await context.commands.sellers.ask(user.id, { type: 'RegisterSeller', commandId: 'register', name: user.displayName, email: user.email }));
}

async function signIn(context: GatewayContext, user: StoredUser, status: number) {
  const issued = await context.sessions.signIn({ userId: user.id, role: user.role, email: user.email });
  const body: AuthDto = { user: toUserDto(user), token: issued.token, expiresAt: issued.expiresAt };
  return json(status, body, { 'Set-Cookie': cookie(context, issued.token, Math.floor(tokenLifetimeMs / 1000)) });
}

/** 429 with Retry-After when `limiter` refuses this IP. */
async function limitPerIp(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const decision = await limiter.hit(key);
  if (decision.allowed) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new ApiError(429, 'rate_limited', `too many ${what}; try again in ${seconds} s`, { 'Retry-After': String(seconds) });
}

export const authRoutes: Route<GatewayContext>[] = [
  {
    method: 'POST',
    pattern: '/api/auth/register',
    access: 'public',
    tag: 'auth',
    summary: 'Create a BUYER or SELLER account and sign in (REGISTRATIONS_PER_HOUR per IP, default 10).',
    handler: async (request, context) => {
      await limitPerIp(context.registerLimiter, `register:${request.ip}`, 'registrations from this address');
      const body = parseBody(request, registerBody);
      if ((await context.users.findByEmail(body.email)) !== null) throw new ApiError(409, 'email_taken', 'an account with this email exists');
      const passwordHash = await context.passwords.hash(body.password);
      const displayName = body.displayName ?? body.email.split('@')[0] ?? body.email;
      const user = await context.users.create({ id: context.ids.next(), email: body.email, role: body.role, displayName, passwordHash, createdAt: context.clock.now() });
      if (user === null) throw new ApiError(409, 'email_taken', 'an account with this email exists');
      await ensureSellerRegistered(context, user);
      // Users are not journaled, so the route plans the welcome mail itself; its key is the
      // user id, so a repeat of this step can never plan a second one.
      await context.mailOutbox.enqueue([welcomeMail(user, context.clock.now())]);
      return signIn(context, user, 201);
    },
  },
  {
    method: 'POST',
    pattern: '/api/auth/login',
    access: 'public',
    tag: 'auth',
    summary: 'Sign in (LOGINS_PER_MINUTE attempts per minute per IP, default 5).',
    handler: async (request, context) => {
      await limitPerIp(context.loginLimiter, `login:${request.ip}`, 'login attempts');
      const body = parseBody(request, loginBody);
      const user = await context.users.findByEmail(body.email);
      // An unknown email costs the same argon2 work as a known one (a decoy hash), so timing does not tell them apart.
      const valid = await context.passwords.verify(user?.passwordHash ?? null, body.password);
      if (!valid || user === null) throw new ApiError(401, 'invalid_credentials', 'the email or password is wrong');
      await ensureSellerRegistered(context, user);
      return signIn(context, user, 200);
    },
  },
  {
    method: 'POST',
    pattern: '/api/auth/logout',
    access: 'public',
    tag: 'auth',
    summary: 'Sign out: ends this session on the server (its token stops working, its sockets close) and clears the cookie.',
    handler: async (request, context) => {
      if (request.principal !== null) await context.sessions.signOut(request.principal.sessionId);
      return noContent({ 'Set-Cookie': cookie(context, '', 0) });
    },
  },
  {
    method: 'GET',
    pattern: '/api/me',
    access: 'user',
    tag: 'auth',
    summary: 'The signed-in user.',
    handler: async (request, context) => {
      const user = request.principal === null ? null : await context.users.findById(request.principal.userId);
      if (user === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
      return ok(toUserDto(user));
    },
  },
];
