/** The mail outbox (ADMIN, GET /api/admin/mail): what was sent or is waiting, and how it went. */
import { For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useSearchParams } from '@solidjs/router';
import type { MailStatus } from '../../../../gateway/api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, FilterSelect, formatDateTime, PageHeader, Pager } from '../../components/ui.tsx';
import { pageParam, single } from '../../lib/params.ts';
import { getMail, mailStatuses } from '../../data/admin.ts';

const statusTones: Readonly<Record<MailStatus, 'good' | 'warn' | 'bad' | 'info'>> = { pending: 'warn', sending: 'info', sent: 'good', failed: 'bad' };

function isMailStatus(value: string | undefined): value is MailStatus {
  return mailStatuses.some((status) => status === value);
}

function MailTable(props: { status: MailStatus | undefined; page: number; setPage: (page: number) => void }): JSX.Element {
  const mail = createAsync(() => getMail(props.status, props.page));
  return (
    <Show when={mail()}>
      {(page) => (
        <Show when={page().items.length > 0} fallback={<EmptyState title="No mail here" icon="📭">Welcome, order and payout mails appear here.</EmptyState>}>
          <div class="card-premium overflow-x-auto">
            <table class="stack-table w-full border-collapse text-sm">
              <thead>
                <tr class="text-left text-muted">
                  <th class="p-3 font-medium">To</th>
                  <th class="p-3 font-medium">Subject</th>
                  <th class="p-3 font-medium">Status</th>
                  <th class="p-3 text-right font-medium">Attempts</th>
                  <th class="p-3 font-medium">Last error</th>
                  <th class="p-3 font-medium">Created</th>
                </tr>
              </thead>
              <tbody>
                <For each={page().items}>
                  {(item) => (
                    <tr data-testid="mail-row" class="border-t border-line align-top">
                      <td data-label="To" class="p-3">{item.to}</td>
                      <td data-label="Subject" class="p-3">{item.subject}</td>
                      <td data-label="Status" class="p-3">
                        <Badge tone={statusTones[item.status]}>{item.status}</Badge>
                      </td>
                      <td data-label="Attempts" class="tabular p-3 text-right">{item.attempts}</td>
                      <td data-label="Last error" class="max-w-[16rem] p-3 text-muted">{item.lastError ?? '—'}</td>
                      <td data-label="Created" class="whitespace-nowrap p-3 text-muted">{formatDateTime(item.createdAt)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <Pager page={props.page} total={page().total} pageSize={page().pageSize} onPage={props.setPage} label="Mail pages" />
        </Show>
      )}
    </Show>
  );
}

export default function AdminMail(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const status = (): MailStatus | undefined => {
    const value = single(params.status);
    return isMailStatus(value) ? value : undefined;
  };
  const page = (): number => pageParam(params.page);
  return (
    <RequireRole roles={['ADMIN']}>
      {() => (
        <div>
          <PageHeader title="Mail outbox">
            <FilterSelect id="mail-status" label="Status" value={status() ?? ''} all="All" options={mailStatuses.map((option) => [option, option])} onChange={(next) => setParams({ status: next || undefined, page: undefined })} />
          </PageHeader>
          <Async rows={5}>
            <MailTable status={status()} page={page()} setPage={(next) => setParams({ page: String(next) })} />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
