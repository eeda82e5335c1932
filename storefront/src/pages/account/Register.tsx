/**
 * Create a buyer or seller account; the new user is signed in at once and goes back to the page
 * that sent them (`next`, kept from "Log in to check out" through "Create an account").
 */
import { createSignal } from 'solid-js';
import type { JSX } from 'solid-js';
import { useAction, useNavigate, useSearchParams } from '@solidjs/router';
import { safeNext } from './Login.tsx';
import { ErrorNote } from '../../components/ui.tsx';
import { homeFor, registerAction } from '../../data/auth.ts';
import { useCommand } from '../../lib/command.ts';
import { Link } from '../../components/Link.tsx';

/** The gateway's password rule (routes/auth.ts), checked here first so the error is instant. */
const minPasswordLength = 8;

export function RegisterPage(): JSX.Element {
  const register = useAction(registerAction);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [role, setRole] = createSignal<'BUYER' | 'SELLER'>('BUYER');
  const command = useCommand();

  // The text fields are read once, on submit; only the account type is state (it styles its card).
  async function submit(event: SubmitEvent & { currentTarget: HTMLFormElement }): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string): string => String(data.get(name) ?? '');
    const password = text('password');
    if (password.length < minPasswordLength) return command.fail(`Use a password of at least ${minPasswordLength} characters.`);
    await command.run(async () => {
      const user = await register({ displayName: text('displayName').trim(), email: text('email').trim(), password, role: role() });
      // A seller sent from the cart cannot check out, so only a buyer follows `next` there.
      const next = safeNext(params.next);
      navigate(next !== null && (user.role === 'BUYER' || next !== '/cart') ? next : homeFor(user.role), { replace: true });
    });
  }

  const roleOption = (value: 'BUYER' | 'SELLER', label: string, hint: string): JSX.Element => (
    <label class={`card-premium flex cursor-pointer items-start gap-2 p-3 ${role() === value ? 'ring-2 ring-[var(--c-brand)]' : ''}`}>
      <input type="radio" name="account-type" value={value} checked={role() === value} onChange={() => setRole(value)} class="mt-1" />
      <span>
        <span class="block font-semibold">{label}</span>
        <span class="block text-xs text-muted" aria-hidden="true">
          {hint}
        </span>
      </span>
    </label>
  );

  return (
    <div class="mx-auto max-w-md">
      <form class="card-premium grid gap-4 p-6 rise-in" onSubmit={(event) => void submit(event)} aria-labelledby="register-title">
        <h1 id="register-title" class="page-title m-0">
          Create your account
        </h1>
        <div>
          <label for="register-name" class="field-label">
            Display name
          </label>
          <input id="register-name" name="displayName" autocomplete="nickname" required maxLength={80} class="field" />
        </div>
        <div>
          <label for="register-email" class="field-label">
            Email
          </label>
          <input id="register-email" name="email" type="email" autocomplete="email" required class="field" />
        </div>
        <div>
          <label for="register-password" class="field-label">
            Password
          </label>
          <input
            id="register-password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minLength={minPasswordLength}
            class="field"
            aria-describedby="password-hint"
          />
          <p id="password-hint" class="m-0 mt-1 text-xs text-muted">
            At least {minPasswordLength} characters.
          </p>
        </div>
        <fieldset role="radiogroup" aria-label="Account type" class="m-0 grid gap-2 border-0 p-0 sm:grid-cols-2">
          <legend class="field-label">Account type</legend>
          {roleOption('BUYER', 'Buyer', 'Shop and pay from your wallet')}
          {roleOption('SELLER', 'Seller', 'List products and get paid')}
        </fieldset>
        <button type="submit" class="btn-premium" disabled={command.pending()} aria-describedby={command.error() === null ? undefined : 'register-error'}>
          Create account
        </button>
        <ErrorNote id="register-error" error={command.error()} />
        <p class="m-0 text-sm text-muted">
          Have an account already? <Link href={safeNext(params.next) === null ? '/login' : `/login?next=${encodeURIComponent(safeNext(params.next) ?? '/')}`}>Log in here</Link>
        </p>
      </form>
    </div>
  );
}
