/**
 * The actor list (ADMIN): resident actors, or every actor of a kind (passivated ones included),
 * with mailbox depth, last seq and pending timers; a text filter narrows the keys.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { A, createAsync, useSearchParams } from '@solidjs/router';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, PageHeader } from '../../components/ui.tsx';
import { actorKinds, getActors } from '../../data/admin.ts';
import type { ActorKind } from '../../data/admin.ts';

function isKind(value: string | undefined): value is ActorKind {
  return actorKinds.some((kind) => kind === value);
}

function ActorTable(props: { kind: ActorKind | undefined; filter: string }): JSX.Element {
  const actors = createAsync(() => getActors(props.kind));
  const visible = () => (actors()?.items ?? []).filter((actor) => actor.key.toLowerCase().includes(props.filter.trim().toLowerCase()));
  return (
    <Show when={actors()}>
      {(list) => (
        <Show when={visible().length > 0} fallback={<EmptyState title="No actors match" icon="🎭">Pick another kind or clear the filter. Without a kind, only resident (awake) actors are listed.</EmptyState>}>
          <p class="m-0 mb-2 text-sm text-muted" role="status">
            Showing {visible().length} of {list().total}
          </p>
          <div class="card-premium overflow-x-auto">
            <table class="w-full border-collapse text-sm">
              <thead>
                <tr class="text-left text-muted">
                  <th class="p-3 font-medium">Key</th>
                  <th class="p-3 font-medium">State</th>
                  <th class="p-3 text-right font-medium">Mailbox</th>
                  <th class="p-3 text-right font-medium">Last seq</th>
                  <th class="p-3 text-right font-medium">Timers</th>
                </tr>
              </thead>
              <tbody>
                <For each={visible()}>
                  {(actor) => (
                    <tr data-testid="actor-row" class="border-t border-line">
                      <td class="max-w-[22rem] truncate p-3 font-mono">
                        <A href={`/admin/actors/${encodeURIComponent(actor.key)}`}>{actor.key}</A>
                      </td>
                      <td class="p-3">
                        <Badge tone={actor.resident ? 'good' : 'info'}>{actor.resident ? 'resident' : 'passivated'}</Badge>
                      </td>
                      <td class="tabular p-3 text-right">{actor.mailboxDepth}</td>
                      <td class="tabular p-3 text-right">{actor.resident ? actor.lastSeq : '—'}</td>
                      <td class="tabular p-3 text-right">{actor.pendingTimers}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
      )}
    </Show>
  );
}

export default function AdminActors(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const kind = (): ActorKind | undefined => {
    const value = Array.isArray(params.kind) ? params.kind[0] : params.kind;
    return isKind(value) ? value : undefined;
  };
  const [filter, setFilter] = createSignal('');
  return (
    <RequireRole roles={['ADMIN']}>
      {() => (
        <div>
          <PageHeader title="Actor inspector" subtitle="Live and passivated actors; open one to see its state, journal and timers." />
          <div class="mb-4 grid gap-3 sm:grid-cols-[14rem_1fr]">
            <div>
              <label for="actor-kind" class="field-label">
                Kind
              </label>
              <select id="actor-kind" class="field" value={kind() ?? ''} onChange={(event) => setParams({ kind: event.currentTarget.value || undefined })}>
                <option value="">Resident (any kind)</option>
                <For each={actorKinds}>{(option) => <option value={option}>{option}</option>}</For>
              </select>
            </div>
            <div>
              <label for="actor-filter" class="field-label">
                Filter
              </label>
              <input id="actor-filter" type="search" class="field" placeholder="order:3f2a…" value={filter()} onInput={(event) => setFilter(event.currentTarget.value)} />
            </div>
          </div>
          <Async rows={6}>
            <ActorTable kind={kind()} filter={filter()} />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
