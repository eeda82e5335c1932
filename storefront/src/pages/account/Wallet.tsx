/**
 * The wallet: available and pending (escrowed) balances, deposit and withdraw, and the ledger
 * with statuses. A deposit or withdrawal keeps its command id while the same amount is retried,
 * so a click repeated after a timeout moves money once; a new amount gets a new id.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useAction, useSearchParams } from '@solidjs/router';
import type { LedgerEntryDto, OrderDto } from '../../../../gateway/api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, ErrorNote, formatDateTime, Money, Pager } from '../../components/ui.tsx';
import { getLedger, getWallet, ledgerKindLabels, moveMoney } from '../../data/wallet.ts';
import { getOrders } from '../../data/orders.ts';
import { safeNext } from './Login.tsx';
import type { MoneyMove } from '../../data/wallet.ts';
import { retryableIds } from '../../lib/ids.ts';
import { useCommand } from '../../lib/command.ts';
import { formatCents, formatSignedCents, parseCents } from '../../lib/money.ts';
import { Link } from '../../components/Link.tsx';

const ledgerPageSize = 20;

export function Balances(): JSX.Element {
  const wallet = createAsync(() => getWallet());
  return (
    <div class="grid gap-4 sm:grid-cols-2">
      <div class="card-premium p-5">
        <p class="m-0 text-sm text-muted">Available</p>
        <p class="m-0 mt-1 text-3xl font-extrabold">
          <Show when={wallet()} fallback={<span class="skeleton inline-block h-9 w-32" />}>
            {(current) => <Money cents={current().balanceMinor} testId="wallet-available" />}
          </Show>
        </p>
      </div>
      <div class="card-premium p-5">
        <p class="m-0 text-sm text-muted">Pending (in escrow)</p>
        <p class="m-0 mt-1 text-3xl font-extrabold">
          <Show when={wallet()} fallback={<span class="skeleton inline-block h-9 w-32" />}>
            {(current) => <Money cents={current().lockedMinor} testId="wallet-pending" />}
          </Show>
        </p>
      </div>
    </div>
  );
}

/** Deposit and withdraw; `?amount=` prefills a top-up sent from the cart, `?next=` leads back. */
function MoveMoneyForm(): JSX.Element {
  const move = useAction(moveMoney);
  const [params] = useSearchParams();
  const prefill = typeof params.amount === 'string' && parseCents(params.amount).ok ? params.amount : '';
  const next = safeNext(params.next);
  const [amount, setAmount] = createSignal(prefill);
  const command = useCommand();
  const [done, setDone] = createSignal<string | null>(null);
  /** Same move and amount → same command id, so a retried submission is not done twice. */
  const ids = retryableIds();

  async function submit(kind: MoneyMove): Promise<void> {
    const parsed = parseCents(amount());
    if (!parsed.ok) return command.fail(parsed.reason);
    if (parsed.cents < 1) return command.fail('The amount must be more than zero.');
    const commandId = ids.idFor(`${kind}:${parsed.cents}`);
    setDone(null);
    await command.run(async () => {
      await move(kind, commandId, parsed.cents);
      setDone(`${kind === 'deposit' ? 'Deposited' : 'Withdrew'} ${formatCents(parsed.cents)}.`);
      setAmount('');
      ids.done();
    });
  }

  return (
    <form class="card-premium grid gap-3 p-5" onSubmit={(event) => (event.preventDefault(), void submit('deposit'))}>
      <div>
        <label for="wallet-amount" class="field-label">
          Amount (USD)
        </label>
        <input id="wallet-amount" inputmode="decimal" placeholder="25.00" class="field" value={amount()} aria-describedby={command.error() === null ? undefined : 'wallet-error'} onInput={(event) => setAmount(event.currentTarget.value)} />
      </div>
      <div class="flex flex-wrap gap-2">
        <button type="submit" class="btn-premium" disabled={command.pending()}>
          Deposit
        </button>
        <button type="button" class="btn-ghost" disabled={command.pending()} onClick={() => void submit('withdraw')}>
          Withdraw
        </button>
      </div>
      <ErrorNote id="wallet-error" error={command.error()} />
      <Show when={done()}>
        <p class="m-0 text-sm text-good" role="status">
          {done()}
          <Show when={next === '/cart'}>
            {' '}
            <Link href="/cart" class="font-semibold">
              Back to your cart
            </Link>
          </Show>
        </p>
      </Show>
    </form>
  );
}

const statusTones: Readonly<Record<LedgerEntryDto['status'], 'good' | 'warn' | 'bad' | 'info'>> = {
  PENDING: 'warn',
  LOCKED: 'warn',
  RELEASED: 'good',
  COMPLETED: 'good',
  REFUNDED: 'info',
  VOIDED: 'bad',
};

/** The other party of an order, as this viewer sees it: the seller for a buyer, the buyer for a seller. */
function counterparty(order: OrderDto, viewerId: string | undefined): string {
  return order.sellerId === viewerId ? `from ${order.buyerName || 'a buyer'}` : `at ${order.sellerName}`;
}

function LedgerOrder(props: { orderId: string; orders: ReadonlyMap<string, OrderDto>; viewerId: string | undefined }): JSX.Element {
  const order = (): OrderDto | undefined => props.orders.get(props.orderId);
  return (
    <span class="block text-xs">
      <Link href={`/orders/${encodeURIComponent(props.orderId)}`} data-testid="ledger-order">
        {order() === undefined ? 'View order' : `Order #${order()?.number}`}
      </Link>
      <Show when={order()}>{(known) => <span class="text-muted"> {counterparty(known(), props.viewerId)}</span>}</Show>
    </span>
  );
}

function Ledger(props: { viewerId: string | undefined }): JSX.Element {
  const [page, setPage] = createSignal(1);
  const ledger = createAsync(() => getLedger(page(), ledgerPageSize));
  // The newest orders name the other party of each ledger row; an older row still links to its order.
  const orders = createAsync(async () => new Map((await getOrders({ pageSize: 100 })).items.map((order) => [order.id, order] as const)));
  return (
    <Show when={ledger()}>
      {(current) => (
        <Show when={current().items.length > 0} fallback={<EmptyState title="No money movements yet" icon="🧾">Deposits, purchases and sales appear here.</EmptyState>}>
          <div class="card-premium overflow-x-auto">
            <table class="stack-table w-full border-collapse text-sm">
              <thead>
                <tr class="text-left text-muted">
                  <th class="p-3 font-medium">When</th>
                  <th class="p-3 font-medium">What</th>
                  <th class="p-3 font-medium">Status</th>
                  <th class="p-3 text-right font-medium">Amount</th>
                </tr>
              </thead>
              <tbody>
                <For each={current().items}>
                  {(entry) => (
                    <tr data-testid="ledger-row" class="border-t border-line">
                      <td data-label="When" class="whitespace-nowrap p-3 text-muted">{formatDateTime(entry.createdAt)}</td>
                      <td data-label="What" class="p-3">
                        {ledgerKindLabels[entry.kind]}
                        <Show when={entry.orderId}>{(orderId) => <LedgerOrder orderId={orderId()} orders={orders() ?? new Map()} viewerId={props.viewerId} />}</Show>
                        <Show when={entry.lockedUntil !== null && entry.status === 'LOCKED'}>
                          <span class="block text-xs text-muted">until {formatDateTime(entry.lockedUntil ?? 0)}</span>
                        </Show>
                      </td>
                      <td data-label="Status" class="p-3">
                        <Badge tone={statusTones[entry.status]}>{entry.status}</Badge>
                      </td>
                      <td data-label="Amount" class={`tabular whitespace-nowrap p-3 text-right font-semibold ${entry.type === 'CREDIT' ? 'text-good' : ''}`}>{formatSignedCents(entry.amountMinor, entry.type)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <Pager page={page()} total={current().total} pageSize={ledgerPageSize} onPage={setPage} label="Ledger pages" previous="Newer" next="Older" />
        </Show>
      )}
    </Show>
  );
}

export function WalletPage(): JSX.Element {
  return (
    <RequireRole roles={['BUYER', 'SELLER']}>
      {(user) => (
        <div class="grid gap-6">
          <h1 class="page-title m-0">Wallet</h1>
          <Async rows={1} fallback={<div class="skeleton h-28" />}>
            <Balances />
          </Async>
          <MoveMoneyForm />
          <section aria-labelledby="ledger-title">
            <h2 id="ledger-title" class="m-0 mb-3 text-xl font-bold">Ledger</h2>
            <Async rows={5}>
              <Ledger viewerId={user.id} />
            </Async>
          </section>
        </div>
      )}
    </RequireRole>
  );
}
