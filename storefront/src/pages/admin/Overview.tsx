/**
 * The operator overview (ADMIN), after the Akka and Orleans dashboards: the console samples
 * /api/admin/overview every second, turns the totals into rates between samples, and charts the
 * last minute: commands, requests, rejections and errors per second, journal batches, mailbox
 * depth and consumer lag; resident actors by kind and timers due beside them.
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import type { OverviewDto } from '../../../../gateway/admin-api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { ErrorNote, formatDateTime, PageHeader, Skeleton } from '../../components/ui.tsx';
import { sampleOverview } from '../../data/admin.ts';
import { Sparkline } from './Sparkline.tsx';
import { Link } from '../../components/Link.tsx';

const sampleEveryMs = 1_000;
/** Points kept per chart: one minute at one sample a second. */
const historyLength = 60;

interface Point {
  readonly commands: number;
  readonly requests: number;
  readonly rejections: number;
  readonly errors: number;
  readonly batches: number;
  readonly mailbox: number;
  readonly lag: number;
}

function pointBetween(before: OverviewDto, after: OverviewDto, elapsedMs: number): Point {
  const perSecond = (pick: (sample: OverviewDto) => number): number => Math.max(0, ((pick(after) - pick(before)) * 1000) / Math.max(1, elapsedMs));
  return {
    commands: perSecond((sample) => sample.counters.commandsAccepted),
    requests: perSecond((sample) => sample.counters.requests),
    rejections: perSecond((sample) => sample.counters.rejections),
    errors: perSecond((sample) => sample.counters.errors),
    batches: perSecond((sample) => sample.counters.journalBatches),
    mailbox: after.kinds.reduce((sum, kind) => sum + kind.mailboxDepth, 0),
    lag: after.consumerLag.reduce((sum, consumer) => sum + consumer.lag, 0),
  };
}

function useSamples(): { latest: () => OverviewDto | null; history: () => readonly Point[]; error: () => unknown } {
  const [latest, setLatest] = createSignal<OverviewDto | null>(null);
  const [history, setHistory] = createSignal<readonly Point[]>([]);
  const [error, setError] = createSignal<unknown>(null);
  let previous: { sample: OverviewDto; takenAt: number } | null = null;
  let timer: number | undefined;
  async function take(): Promise<void> {
    try {
      const sample = await sampleOverview();
      const takenAt = performance.now();
      if (previous !== null) {
        const point = pointBetween(previous.sample, sample, takenAt - previous.takenAt);
        setHistory((points) => [...points, point].slice(-historyLength));
      }
      previous = { sample, takenAt };
      setLatest(sample);
      setError(null);
    } catch (failure) {
      setError(failure);
    }
    timer = window.setTimeout(() => void take(), sampleEveryMs);
  }
  onMount(() => void take());
  onCleanup(() => window.clearTimeout(timer));
  return { latest, history, error };
}

function Facts(props: { sample: OverviewDto }): JSX.Element {
  const timers = (): OverviewDto['timers'] => props.sample.timers;
  return (
    <div class="grid gap-4 md:grid-cols-3">
      <section class="card-premium p-4" aria-label="Resident actors by kind">
        <h2 class="m-0 mb-2 text-base">Resident actors</h2>
        <ul class="m-0 grid list-none gap-1 p-0" data-testid="kinds">
          <For each={props.sample.kinds}>
            {(kind) => (
              <li class="flex justify-between gap-2" data-testid="kind-row">
                <span class="font-mono">{kind.kind}</span>
                <span class="tabular">
                  {kind.resident} <span class="text-muted">· mailbox {kind.mailboxDepth}</span>
                </span>
              </li>
            )}
          </For>
        </ul>
      </section>
      <section class="card-premium p-4" aria-label="Consumer lag">
        <h2 class="m-0 mb-2 text-base">Consumer lag</h2>
        <ul class="m-0 grid list-none gap-1 p-0">
          <For each={props.sample.consumerLag}>
            {(consumer) => (
              <li class="flex justify-between gap-2" data-testid="consumer-lag">
                <span>{consumer.consumer}</span>
                <span class="tabular">{consumer.lag} entries</span>
              </li>
            )}
          </For>
        </ul>
        <p class="m-0 mt-2 text-sm text-muted">
          Journal queue {props.sample.journal.queued}, largest batch {props.sample.journal.largestBatch}, commit latency{' '}
          {props.sample.journal.commitLatencyMs === null ? 'not reported by this runtime' : `${props.sample.journal.commitLatencyMs} ms`}.
        </p>
      </section>
      <section class="card-premium p-4" aria-label="Timers">
        <h2 class="m-0 mb-2 text-base">Timers</h2>
        <p class="m-0" data-testid="timers-summary">
          {timers().pending} pending, {timers().overdue} overdue, {timers().dueWithinHour} due within the hour.
        </p>
        <p class="m-0 mt-1 text-sm text-muted">{timers().nextDueAt === null ? 'No timer is scheduled.' : `Next due ${formatDateTime(timers().nextDueAt ?? 0)}.`}</p>
        <p class="m-0 mt-2 text-sm text-muted">
          Sagas: {props.sample.sagas.effectsInFlight} steps in flight, {props.sample.sagas.waiters} callers waiting.
        </p>
      </section>
    </div>
  );
}

export default function AdminOverview(): JSX.Element {
  return (
    <RequireRole roles={['ADMIN']}>
      {() => {
        const { latest, history, error } = useSamples();
        const series = (pick: (point: Point) => number): number[] => history().map(pick);
        return (
          <div>
            <PageHeader title="Overview" subtitle="The running system, sampled every second; charts show the last minute.">
              <Link class="btn-ghost min-h-11 no-underline" href="/admin/actors">
                Find an actor
              </Link>
            </PageHeader>
            <ErrorNote error={error()} />
            <Show when={latest()} fallback={<Skeleton rows={4} height="6rem" />}>
              {(sample) => (
                <div class="grid gap-4">
                  <div class="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4" data-testid="overview-charts">
                    <Sparkline title="Commands" unit="/s" values={series((point) => point.commands)} testId="chart-commands" />
                    <Sparkline title="Requests" unit="/s" values={series((point) => point.requests)} testId="chart-requests" />
                    <Sparkline title="Rejections (4xx)" unit="/s" values={series((point) => point.rejections)} testId="chart-rejections" />
                    <Sparkline title="Errors (5xx)" unit="/s" values={series((point) => point.errors)} testId="chart-errors" />
                    <Sparkline title="Journal batches" unit="/s" values={series((point) => point.batches)} testId="chart-batches" />
                    <Sparkline title="Mailbox depth" unit="msgs" values={series((point) => point.mailbox)} testId="chart-mailbox" />
                    <Sparkline title="Consumer lag" unit="entries" values={series((point) => point.lag)} testId="chart-lag" />
                  </div>
                  <Facts sample={sample()} />
                </div>
              )}
            </Show>
          </div>
        );
      }}
    </RequireRole>
  );
}
