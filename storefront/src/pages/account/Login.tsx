/** Sign in. On success each role lands on its start page, or on the page that sent them here. */
import type { JSX } from 'solid-js';
import { useAction, useNavigate, useSearchParams } from '@solidjs/router';
import { ErrorNote } from '../../components/ui.tsx';
import { homeFor, loginAction } from '../../data/auth.ts';
import { useCommand } from '../../lib/command.ts';
import { isSitePath } from '../../lib/paths.ts';
import type { SitePath } from '../../lib/paths.ts';
import { Link } from '../../components/Link.tsx';

/** Only same-site paths are followed after sign-in, so a crafted link cannot send users away. */
export function safeNext(next: string | string[] | undefined): SitePath | null {
  const value = Array.isArray(next) ? next[0] : next;
  return value !== undefined && isSitePath(value) ? value : null;
}

export function LoginPage(): JSX.Element {
  const login = useAction(loginAction);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const command = useCommand();

  // The fields are read once, on submit; the form keeps no state of its own.
  async function submit(event: SubmitEvent & { currentTarget: HTMLFormElement }): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    await command.run(async () => {
      const user = await login(String(data.get('email')).trim(), String(data.get('password')));
      navigate(safeNext(params.next) ?? homeFor(user.role), { replace: true });
    });
  }

  return (
    <div class="mx-auto max-w-md">
      <form class="card-premium grid gap-4 p-6 rise-in" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title" class="page-title m-0">
          Welcome back
        </h1>
        <div>
          <label for="login-email" class="field-label">
            Email
          </label>
          <input id="login-email" name="email" type="email" autocomplete="email" required class="field" />
        </div>
        <div>
          <label for="login-password" class="field-label">
            Password
          </label>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required class="field" />
        </div>
        <button type="submit" class="btn-premium" disabled={command.pending()} aria-describedby={command.error() === null ? undefined : 'login-error'}>
          Sign in
        </button>
        <ErrorNote id="login-error" error={command.error()} />
        <p class="m-0 text-sm text-muted">
          New here? <Link href={safeNext(params.next) === null ? '/register' : `/register?next=${encodeURIComponent(safeNext(params.next) ?? '/')}`}>Create an account</Link>
        </p>
      </form>
    </div>
  );
}
