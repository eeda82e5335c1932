/** The ledger audit (ADMIN): totals from the journal, money in flight, and every anomaly. */
import { For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, revalidate } from '@solidjs/router';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, formatDateTime, Money, PageHeader } from '../../components/ui.tsx';
import { getLedgerAudit } from '../../data/admin.ts';
import type { LedgerAudit } from '../../data/admin.ts';

const totalLabels: readonly [keyof LedgerAudit['totals'], string][] = [
  ['depositsMinor', 'Deposits'],
  ['withdrawalsMinor', 'Withdrawals'],
  ['balanceMinor', 'Spendable balances'],
  ['lockedMinor', 'Locked (escrow)'],
  ['inFlightMinor', 'In flight'],
  ['strandedMinor', 'Stranded'],
  ['driftMinor', 'Drift'],
];

function AuditView(): JSX.Element {
  const audit = createAsync(() => getLedgerAudit());
  return (
    <Show when={audit()}>
      {(result) => (
        <div class="grid gap-6">
          <div data-testid="audit-result" class={`card-premium p-5 ${result().ok ? 'tone-good' : 'tone-bad'}`} role="status">
            <p class="m-0 text-xl font-bold">{result().ok ? '✅ Ledger balanced' : `⚠️ ${result().anomalies.length} anomalies found`}</p>
            <p class="m-0 mt-1 text-sm">
              {result().wallets} wallets, {result().orders} orders, from the {result().source === 'journal' ? 'journal' : 'read models'}
              {result().asOfMs === null ? '' : ` as of ${formatDateTime(result().asOfMs ?? 0)}`}.
            </p>
            <Show when={!result().ok}>
              <ul class="m-0 mt-3 grid gap-1 pl-5 text-sm">
                <For each={result().anomalies}>{(anomaly) => <li class="font-mono">{JSON.stringify(anomaly)}</li>}</For>
              </ul>
            </Show>
          </div>
          <div class="grid grid-cols-2 gap-4 md:grid-cols-4">
            <For each={totalLabels}>
              {([key, label]) => (
                <div class="card-premium p-4">
                  <p class="m-0 text-sm text-muted">{label}</p>
                  <Money cents={result().totals[key] ?? '0'} class="text-xl font-bold" />
                </div>
              )}
            </For>
          </div>
          <Show when={result().inFlight.length > 0}>
            <section class="card-premium p-4">
              <h2 class="m-0 mb-2 text-lg font-bold">Money in flight</h2>
              <ul class="m-0 grid list-none gap-1 p-0 text-sm">
                <For each={result().inFlight}>
                  {(entry) => (
                    <li class="flex justify-between gap-2 font-mono">
                      <span>
                        order:{entry.orderId} ({entry.orderStatus})
                      </span>
                      <Money cents={entry.inFlightMinor} />
                    </li>
                  )}
                </For>
              </ul>
            </section>
          </Show>
        </div>
      )}
    </Show>
  );
}

export default function AdminAudit(): JSX.Element {
  return (
    <RequireRole roles={['ADMIN']}>
      {() => (
        <div>
          <PageHeader title="Ledger audit" subtitle="Deposits minus withdrawals must equal balances plus escrow plus money in flight.">
            <button type="button" class="btn-ghost" onClick={() => void revalidate(getLedgerAudit.key)}>
              Run again
            </button>
          </PageHeader>
          <Async rows={3}>
            <AuditView />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
