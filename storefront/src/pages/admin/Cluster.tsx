/**
 * The cluster view (ADMIN, GET /api/admin/cluster, issue #16): the nodes with their heartbeat
 * age, the handoffs the answering node saw, and which node owns each shard under which epoch
 * until when. Read every two seconds. With cluster mode off it says so, and why.
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import type { ClusterDto, ClusterOffDto, ClusterOnDto } from '../../../../gateway/admin-api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Badge, EmptyState, ErrorNote, PageHeader, Skeleton } from '../../components/ui.tsx';
import { sampleCluster } from '../../data/admin.ts';

const readEveryMs = 2_000;
const enabled = (view: ClusterDto): ClusterOnDto | false => view.enabled && view;
const seconds = (ms: number | null): string => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** A plain table; `stack` turns its rows into cards on a phone (styles.css, stack-table). */
function Table<Row>(props: { title: string; head: readonly string[]; rows: readonly Row[]; cells: (row: Row) => readonly (JSX.Element | string | number)[]; testId: string; stack?: boolean }): JSX.Element {
  return (
    <section class="card-premium overflow-x-auto">
      <h2 class="m-0 p-3 pb-1 text-base">{props.title}</h2>
      <table class="w-full border-collapse text-sm" classList={{ 'stack-table': props.stack }}>
        <thead>
          <tr class="text-left text-muted">
            <For each={props.head}>{(name) => <th class="p-2 font-medium">{name}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(row) => (
              <tr class="border-t border-line" data-testid={props.testId}>
                <For each={props.cells(row)}>{(cell, index) => <td class="tabular whitespace-nowrap p-2" data-label={props.head[index()]}>{cell}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}

function ClusterTables(props: { view: ClusterOnDto }): JSX.Element {
  const time = (ms: number): string => new Date(ms).toLocaleTimeString();
  return (
    <div class="grid gap-4">
      <p class="m-0 text-sm text-muted">
        Answered by node {props.view.node}: {props.view.shardCount} shards, leases of {seconds(props.view.leaseTtlMs)} renewed every {seconds(props.view.leaseTtlMs / 4)}.
      </p>
      <Table title="Nodes" head={['Node', 'Address', 'Heartbeat', 'Shards', 'State']} rows={props.view.nodes} testId="cluster-node" stack cells={(node) => [node.node, node.address, `${seconds(node.heartbeatAgeMs)} ago`, node.shards, <Badge tone={node.live ? 'good' : 'bad'}>{node.live ? 'live' : 'expired'}</Badge>]} />
      <div class="grid items-start gap-4 lg:grid-cols-2">
        <Table title={`Handoffs seen by ${props.view.node}`} head={['Seen', 'Shard', 'Move', 'Epoch', 'Change']} rows={props.view.handoffs} testId="cluster-handoff" cells={(move) => [time(move.seenAt), move.shard, `${move.from ?? '—'} → ${move.to ?? '—'}`, move.epoch, move.change]} />
        <Table title="Shards" head={['Shard', 'Owner', 'Epoch', 'Lease left']} rows={props.view.shards} testId="cluster-shard" cells={(shard) => [shard.shard, shard.owner ?? 'free', shard.epoch, seconds(shard.expiresInMs)]} />
      </div>
    </div>
  );
}

function useCluster(): { view: () => ClusterDto | null; error: () => unknown } {
  const [view, setView] = createSignal<ClusterDto | null>(null);
  const [error, setError] = createSignal<unknown>(null);
  let timer: number | undefined;
  // A read in flight when the operator leaves must not schedule the next one.
  let left = false;
  async function read(): Promise<void> {
    try {
      setView(await sampleCluster());
      setError(null);
    } catch (failure) {
      setError(failure);
    }
    if (!left) timer = window.setTimeout(() => void read(), readEveryMs);
  }
  onMount(() => void read());
  onCleanup(() => {
    left = true;
    window.clearTimeout(timer);
  });
  return { view, error };
}

export default function AdminCluster(): JSX.Element {
  return (
    <RequireRole roles={['ADMIN']}>
      {() => {
        const { view, error } = useCluster();
        return (
          <div>
            <PageHeader title="Cluster" subtitle="Read every two seconds." />
            <ErrorNote error={error()} />
            <Show when={view()} fallback={<Skeleton rows={3} height="5rem" />}>
              {(current) => (
                <Show when={enabled(current())} fallback={<EmptyState title="Cluster mode is off" icon="🖥️">{(current() as ClusterOffDto).reason}</EmptyState>}>
                  {(cluster) => <ClusterTables view={cluster()} />}
                </Show>
              )}
            </Show>
          </div>
        );
      }}
    </RequireRole>
  );
}
