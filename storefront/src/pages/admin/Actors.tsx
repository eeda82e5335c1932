/**
 * The actor list (ADMIN). "Find" searches by what people quote (an order number read out on the
 * phone, an email, a product title, an actor key) and lists status, buyer and seller; below it,
 * resident actors or every actor of a kind with mailbox depth, last seq and pending timers. Keys
 * are never cut: two orders of one buyer share a long prefix. On a phone both tables stack.
 */
import { createEffect, createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useSearchParams } from '@solidjs/router';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, FilterSelect, PageHeader } from '../../components/ui.tsx';
import { single } from '../../lib/params.ts';
import { actorKinds, getActors, searchActors } from '../../data/admin.ts';
import type { ActorKind } from '../../data/admin.ts';
import { Link } from '../../components/Link.tsx';

function isKind(value: string | undefined): value is ActorKind {
  return actorKinds.some((kind) => kind === value);
}

const cell = 'p-3 align-middle';

function actorLink(key: string): JSX.Element {
  return (
    <Link class="inline-flex min-h-11 items-center font-mono [overflow-wrap:anywhere]" href={`/admin/actors/${encodeURIComponent(key)}`}>
      {key}
    </Link>
  );
}

function FoundTable(props: { text: string }): JSX.Element {
  const found = createAsync(() => searchActors(props.text));
  return (
    <Show when={found()}>
      {(result) => (
        <Show when={result().items.length > 0} fallback={<EmptyState title={`Nothing found for “${props.text}”`} icon="🔎">Try the 8-character order number, part of an email, a product title, or a key such as order:…</EmptyState>}>
          <div class="card-premium mb-6">
            <table class="stack-table w-full border-collapse text-sm" data-testid="found-actors">
              <thead>
                <tr class="text-left text-muted">
                  <th class="p-3 font-medium">Found</th>
                  <th class="p-3 font-medium">Key</th>
                  <th class="p-3 font-medium">Status</th>
                  <th class="p-3 font-medium">Buyer</th>
                  <th class="p-3 font-medium">Seller</th>
                </tr>
              </thead>
              <tbody>
                <For each={result().items}>
                  {(match) => (
                    <tr data-testid="found-actor" class="border-t border-line">
                      <td class={cell} data-label="Found">
                        <span class="block font-semibold">{match.label}</span>
                        <span class="text-xs text-muted">by {match.matchedBy}</span>
                      </td>
                      <td class={cell} data-label="Key">
                        {actorLink(match.key)}
                      </td>
                      <td class={cell} data-label="Status">
                        {match.status ?? '—'}
                      </td>
                      <td class={cell} data-label="Buyer">
                        {match.buyer ?? '—'}
                      </td>
                      <td class={cell} data-label="Seller">
                        {match.seller ?? '—'}
                      </td>
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

function ActorTable(props: { kind: ActorKind | undefined }): JSX.Element {
  const actors = createAsync(() => getActors(props.kind));
  return (
    <Show when={actors()}>
      {(list) => (
        <Show when={list().items.length > 0} fallback={<EmptyState title="No actors here" icon="🎭">Pick another kind. Without a kind, only resident (awake) actors are listed.</EmptyState>}>
          <p class="m-0 mb-2 text-sm text-muted" role="status">
            Showing {list().items.length} of {list().total}
          </p>
          <div class="card-premium">
            <table class="stack-table w-full border-collapse text-sm">
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
                <For each={list().items}>
                  {(actor) => (
                    <tr data-testid="actor-row" class="border-t border-line">
                      <td class={cell} data-label="Key">
                        {actorLink(actor.key)}
                      </td>
                      <td class={cell} data-label="State">
                        <Badge tone={actor.resident ? 'good' : 'info'}>{actor.resident ? 'resident' : 'passivated'}</Badge>
                      </td>
                      <td class={`tabular text-right ${cell}`} data-label="Mailbox">
                        {actor.mailboxDepth}
                      </td>
                      <td class={`tabular text-right ${cell}`} data-label="Last seq">
                        {actor.resident ? actor.lastSeq : '—'}
                      </td>
                      <td class={`tabular text-right ${cell}`} data-label="Timers">
                        {actor.pendingTimers}
                      </td>
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

function FindForm(props: { text: string; onFind: (text: string) => void }): JSX.Element {
  const [typed, setTyped] = createSignal('');
  createEffect(() => setTyped(props.text));
  return (
    <form
      class="mb-4 flex items-end gap-2"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        props.onFind(typed().trim());
      }}
    >
      <div class="flex-1">
        <label for="actor-find" class="field-label">
          Find an order number, email, product title or key
        </label>
        <input id="actor-find" type="search" class="field min-h-11" placeholder="3F2A91C0, alice@…, Scented Candle, order:…" value={typed()} onInput={(event) => setTyped(event.currentTarget.value)} />
      </div>
      <button type="submit" class="btn-premium min-h-11">
        Find
      </button>
    </form>
  );
}

export default function AdminActors(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const kind = (): ActorKind | undefined => {
    const value = single(params.kind);
    return isKind(value) ? value : undefined;
  };
  const text = (): string => single(params.q)?.trim() ?? '';
  return (
    <RequireRole roles={['ADMIN']}>
      {() => (
        <div>
          <PageHeader title="Actor inspector" subtitle="Find an actor by what people quote, or list them by kind; open one to follow its state, journal and timers live.">
            <Link class="btn-ghost min-h-11 no-underline" href="/admin">
              Overview
            </Link>
          </PageHeader>
          <FindForm text={text()} onFind={(found) => setParams({ q: found || undefined })} />
          <Show when={text() !== ''}>
            <Async rows={2}>
              <FoundTable text={text()} />
            </Async>
          </Show>
          <div class="mb-4 max-w-[16rem]">
            <FilterSelect id="actor-kind" label="Kind" value={kind() ?? ''} all="Resident (any kind)" options={actorKinds.map((option) => [option, option])} onChange={(next) => setParams({ kind: next || undefined })} />
          </div>
          <Async rows={6}>
            <ActorTable kind={kind()} />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
