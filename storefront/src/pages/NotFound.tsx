import type { JSX } from 'solid-js';
import { A } from '@solidjs/router';
import { EmptyState } from '../components/ui.tsx';

export function NotFoundPage(): JSX.Element {
  return (
    <EmptyState title="This page does not exist" icon="🧭">
      <A href="/">Back to the shop</A>
    </EmptyState>
  );
}
