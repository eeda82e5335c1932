/**
 * UnoCSS: Tailwind-like utilities plus the seed's design language as shortcuts. Colours are OKLCH
 * tokens defined as CSS variables in src/styles.css, so a theme change is one place.
 */
import { defineConfig, presetWind3 } from 'unocss';

export default defineConfig({
  presets: [presetWind3()],
  theme: {
    colors: {
      bg: 'var(--c-bg)',
      surface: 'var(--c-surface)',
      ink: 'var(--c-ink)',
      muted: 'var(--c-muted)',
      line: 'var(--c-line)',
      brand: 'var(--c-brand)',
      accent: 'var(--c-accent)',
      good: 'var(--c-good)',
      warn: 'var(--c-warn)',
      bad: 'var(--c-bad)',
    },
  },
  shortcuts: {
    'card-premium': 'rounded-2xl border border-line bg-surface shadow-[0_8px_30px_-12px_var(--c-shadow)] backdrop-blur-md',
    'btn-premium':
      'inline-flex items-center justify-center gap-2 rounded-xl px-4 py-2 font-semibold text-white bg-[linear-gradient(135deg,var(--c-brand),var(--c-accent))] shadow-md transition-transform duration-150 hover:-translate-y-0.5 active:translate-y-0 disabled:opacity-50 disabled:cursor-not-allowed disabled:hover:translate-y-0',
    'btn-ghost':
      'inline-flex items-center justify-center gap-2 rounded-xl px-3 py-2 font-medium text-ink border border-line bg-transparent transition-colors hover:bg-[var(--c-hover)] disabled:opacity-50 disabled:cursor-not-allowed',
    'btn-danger':
      'inline-flex items-center justify-center gap-2 rounded-xl px-3 py-2 font-semibold text-white bg-bad transition-transform hover:-translate-y-0.5 disabled:opacity-50',
    field: 'w-full rounded-xl border border-line bg-[var(--c-field)] px-3 py-2 text-ink placeholder:text-muted',
    'field-label': 'mb-1 block text-sm font-medium text-muted',
    badge: 'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold tracking-wide',
    skeleton: 'animate-pulse rounded-xl bg-[var(--c-hover)]',
    'page-title': 'text-2xl sm:text-3xl font-bold tracking-tight [overflow-wrap:anywhere]',
  },
});
