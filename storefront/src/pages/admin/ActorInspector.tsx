/**
 * One actor (ADMIN), followed live: the page asks for journal entries after the last seq it has
 * every second (a journal read, which wakes no actor) and, when one lands, reloads the state,
 * journal and timers. Its state now, its state as of any seq (range slider) or time (datetime
 * input), replayed by the gateway from the journal with the actor's own decider, its journal and
 * its pending timers. Scrubbing shows the last answer while the next one loads, so the slider
 * never blanks the page.
 */
import { createEffect, createSignal, For, onCleanup, onMount, Show, untrack } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, revalidate, useParams } from '@solidjs/router';
import type { ActorStateDto, JournalEntryDto } from '../../../../gateway/api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, EmptyState, formatDateTime, PageHeader, Spinner } from '../../components/ui.tsx';
import { getActor, getActorJournal, getActorStateAt, journalAfter } from '../../data/admin.ts';
import { timerSentence } from './timer-text.ts';
import type { AsOf } from '../../data/admin.ts';
import { Link } from '../../components/Link.tsx';

function decodeKey(raw: string): string {
  try {
    return raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return raw;
  }
}

function eventTypes(entry: JournalEntryDto): string {
  return entry.events.map((event) => (typeof event === 'object' && event !== null && 'type' in event ? String((event as { type: unknown }).type) : '?')).join(', ');
}

/** `datetime-local` text (local time) → epoch ms, or null when empty or invalid. */
function localTimeToMs(text: string): number | null {
  if (text === '') return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function Journal(props: { entries: readonly JournalEntryDto[]; selectedSeq: number; onPick: (seq: number) => void }): JSX.Element {
  return (
    <ol class="m-0 grid list-none gap-2 p-0">
      <For each={props.entries} fallback={<li class="text-muted">The journal is empty.</li>}>
        {(entry) => (
          <li data-testid="journal-entry" class={`rounded-xl border border-line p-3 text-sm ${entry.seq <= props.selectedSeq ? '' : 'opacity-50'}`}>
            <div class="flex flex-wrap items-center gap-x-3 gap-y-1">
              <button type="button" class="btn-ghost !px-2 !py-0.5 font-mono text-xs" aria-label={`Rewind to entry ${entry.seq}`} onClick={() => props.onPick(entry.seq)}>
                seq {entry.seq}
              </button>
              <span class="font-semibold">{eventTypes(entry)}</span>
              <span class="ml-auto text-xs text-muted">{formatDateTime(entry.at)}</span>
            </div>
            <details class="mt-1">
              <summary class="cursor-pointer text-xs text-muted">command {entry.commandId}</summary>
              <pre class="m-0 mt-1 overflow-x-auto whitespace-pre-wrap break-all text-xs">{JSON.stringify(entry.events, null, 2)}</pre>
            </details>
          </li>
        )}
      </For>
    </ol>
  );
}

function Timers(props: { timers: ActorStateDto['pendingTimers'] }): JSX.Element {
  return (
    <ul class="m-0 grid list-none gap-2 p-0">
      <For each={props.timers} fallback={<li class="text-sm text-muted">No pending timers.</li>}>
        {(timer) => (
          <li data-testid="timer-row" class="rounded-xl border border-line p-3 text-sm">
            <div class="font-semibold">{timerSentence(timer.message, timer.dueAt, Date.now(), formatDateTime)}</div>
            <details class="mt-1">
              <summary class="cursor-pointer text-xs text-muted">timer {timer.id}</summary>
              <pre class="m-0 mt-1 overflow-x-auto whitespace-pre-wrap break-all text-xs text-muted">{JSON.stringify(timer.message)}</pre>
            </details>
          </li>
        )}
      </For>
    </ul>
  );
}

interface AsOfControlsProps {
  readonly maxSeq: number;
  readonly selectedSeq: number;
  readonly timeText: string;
  readonly onSeq: (seq: number) => void;
  readonly onTime: (text: string) => void;
}

/** The range slider over seqs and the time picker; either one chooses the replay point. */
function AsOfControls(props: AsOfControlsProps): JSX.Element {
  return (
    <div class="grid gap-3 sm:grid-cols-[1fr_14rem]">
      <div>
        <label for="seq-slider" class="field-label">
          Seq
        </label>
        <input
          id="seq-slider"
          type="range"
          min="0"
          max={props.maxSeq}
          step="1"
          value={props.selectedSeq}
          class="w-full accent-[var(--c-brand)]"
          aria-valuetext={`seq ${props.selectedSeq} of ${props.maxSeq}`}
          onInput={(event) => props.onSeq(Number(event.currentTarget.value))}
        />
        <div class="flex justify-between text-xs text-muted">
          <span>0</span>
          <span>{props.maxSeq}</span>
        </div>
      </div>
      <div>
        <label for="as-of-time" class="field-label">
          As of time
        </label>
        <input
          id="as-of-time"
          type="datetime-local"
          step="1"
          class="field"
          value={props.timeText}
          onChange={(event) => props.onTime(event.currentTarget.value)}
        />
      </div>
    </div>
  );
}

/** How often the inspector asks whether the actor journaled something new. */
const followEveryMs = 1_000;

/**
 * Follows the actor: polls for entries after the last seq seen and revalidates the state, journal
 * and timers when one lands. Returns the number of entries that arrived while the page was open.
 */
function useFollow(actorKey: () => string, lastSeq: () => number | undefined): () => number {
  // Counted from the seq first seen, not from what this poll found: the journal may be refreshed
  // by something else (a revalidation after a reconnect, say) before the poll sees the entries.
  const [firstSeen, setFirstSeen] = createSignal<number | undefined>(undefined);
  let timer: number | undefined;
  let stopped = false;
  // Taken as soon as the journal first loads, not at the first poll: anything that refreshes the
  // journal before that poll (the test saw it) would otherwise be counted as already seen.
  createEffect(() => {
    const known = lastSeq();
    if (known !== undefined && untrack(firstSeen) === undefined) setFirstSeen(known);
  });
  async function poll(): Promise<void> {
    try {
      const known = lastSeq();
      const newer = known === undefined ? null : await journalAfter(actorKey(), known);
      if (newer !== null && newer.items.length > 0) {
        await revalidate([getActor.keyFor(actorKey()), getActorJournal.keyFor(actorKey())]);
      }
    } catch {
      // A missed poll is retried at the next tick; the page keeps what it shows.
    }
    if (!stopped) timer = window.setTimeout(() => void poll(), followEveryMs);
  }
  onMount(() => (timer = window.setTimeout(() => void poll(), followEveryMs)));
  onCleanup(() => {
    stopped = true;
    window.clearTimeout(timer);
  });
  return () => {
    const first = firstSeen();
    const latest = lastSeq();
    return first === undefined || latest === undefined ? 0 : Math.max(0, latest - first);
  };
}

function Inspector(props: { actorKey: string }): JSX.Element {
  const current = createAsync(() => getActor(props.actorKey));
  const journal = createAsync(() => getActorJournal(props.actorKey));
  const arrived = useFollow(
    () => props.actorKey,
    () => journal.latest?.lastSeq,
  );
  const [asOf, setAsOf] = createSignal<AsOf | null>(null);
  const [timeText, setTimeText] = createSignal('');
  const shown = createAsync(() => {
    const point = asOf();
    return point === null ? getActor(props.actorKey) : getActorStateAt(props.actorKey, point);
  });
  const maxSeq = (): number => Math.max(journal()?.lastSeq ?? 0, current()?.seq ?? 0);
  const selectedSeq = (): number => {
    const point = asOf();
    if (point === null) return maxSeq();
    return 'atSeq' in point ? point.atSeq : (shown.latest?.seq ?? maxSeq());
  };
  const asOfText = (): string => {
    const state = shown.latest;
    if (state === undefined) return 'loading…';
    const time = state.at === null ? '' : ` · ${formatDateTime(state.at)}`;
    return `as of seq ${state.seq}${time}${asOf() === null ? ' (latest)' : ''}`;
  };
  const pickSeq = (seq: number): void => {
    setTimeText('');
    setAsOf(seq >= maxSeq() ? null : { atSeq: seq });
  };

  return (
    <div class="grid gap-6 lg:grid-cols-[1fr_22rem]">
      <section class="card-premium grid content-start gap-4 p-4" aria-labelledby="state-title">
        <div class="flex flex-wrap items-center justify-between gap-2">
          <h2 id="state-title" class="m-0 text-lg font-bold">State</h2>
          <span class="badge tone-good" data-testid="following" role="status">
            ● Live{arrived() > 0 ? ` · ${arrived()} new ${arrived() === 1 ? 'entry' : 'entries'}` : ''}
          </span>
        </div>
        <AsOfControls
          maxSeq={maxSeq()}
          selectedSeq={selectedSeq()}
          timeText={timeText()}
          onSeq={pickSeq}
          onTime={(text) => {
            setTimeText(text);
            const ms = localTimeToMs(text);
            setAsOf(ms === null ? null : { atTime: ms });
          }}
        />
        <div class="flex flex-wrap items-center gap-3">
          <p data-testid="as-of" class="m-0 font-mono text-sm" role="status">
            {asOfText()}
          </p>
          <Show when={asOf() !== null}>
            <button type="button" class="btn-ghost !py-1 text-sm" onClick={() => (setTimeText(''), setAsOf(null))}>
              Back to latest
            </button>
          </Show>
        </div>
        <pre data-testid="actor-state" class="m-0 max-h-[32rem] overflow-auto rounded-xl bg-[var(--c-field)] p-3 text-xs">
          {shown.latest === undefined ? '' : JSON.stringify(shown.latest.state, null, 2)}
        </pre>
      </section>
      <div class="grid content-start gap-6">
        <section class="card-premium p-4" aria-labelledby="timers-title">
          <h2 id="timers-title" class="m-0 mb-3 text-lg font-bold">Pending timers</h2>
          <Show when={current()} fallback={<Spinner />}>
            {(state) => <Timers timers={state().pendingTimers} />}
          </Show>
        </section>
        <section class="card-premium p-4" aria-labelledby="journal-title">
          <h2 id="journal-title" class="m-0 mb-3 text-lg font-bold">Journal</h2>
          <Show when={journal()} fallback={<Spinner />}>
            {(list) => <Journal entries={list().items} selectedSeq={selectedSeq()} onPick={pickSeq} />}
          </Show>
        </section>
      </div>
    </div>
  );
}

export default function AdminActorInspector(): JSX.Element {
  const params = useParams();
  const actorKey = (): string => decodeKey(params['key'] ?? '');
  return (
    <RequireRole roles={['ADMIN']}>
      {() => (
        <div>
          <PageHeader title={actorKey()} subtitle="State, journal and timers, and the state at any point in its history.">
            <Link href="/admin/actors" class="btn-ghost no-underline">
              ← Back to the list
            </Link>
          </PageHeader>
          <Show when={actorKey() !== ''} fallback={<EmptyState title="No actor key" icon="🎭">Open an actor from the list.</EmptyState>}>
            <Show when={actorKey()} keyed>
              {(key) => (
                <Async rows={5}>
                  <Inspector actorKey={key} />
                </Async>
              )}
            </Show>
          </Show>
        </div>
      )}
    </RequireRole>
  );
}
