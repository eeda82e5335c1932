/**
 * The address book (issue #15 §5): the shopper's shipping addresses, the default first, each with
 * Edit, Delete (asked first) and Make default, and a form to add one. Opened from the cart with
 * `?next=/cart`, saving the first address goes straight back to check out.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useAction, useNavigate, useSearchParams } from '@solidjs/router';
import type { AddressDto } from '../../../../gateway/api-types.ts';
import { AddressForm } from '../../components/AddressForm.tsx';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, PageHeader } from '../../components/ui.tsx';
import { addressLine, deleteAddress, getAddresses, makeDefaultAddress, saveAddress } from '../../data/addresses.ts';
import type { SitePath } from '../../lib/paths.ts';
import { safeNext } from './Login.tsx';
import { Link } from '../../components/Link.tsx';

function AddressCard(props: { address: AddressDto; editing: boolean; edit: (editing: boolean) => void }): JSX.Element {
  const save = useAction(saveAddress);
  const remove = useAction(deleteAddress);
  const makeDefault = useAction(makeDefaultAddress);
  return (
    <li data-testid="address" class="card-premium grid gap-3 p-4 rise-in">
      <Show
        when={props.editing}
        fallback={
          <>
            <div class="flex flex-wrap items-start justify-between gap-2">
              <address class="not-italic">
                <strong>{props.address.name}</strong>
                <br />
                {props.address.line1}
                <Show when={props.address.line2}>
                  {(line2) => (
                    <>
                      <br />
                      {line2()}
                    </>
                  )}
                </Show>
                <br />
                {props.address.city} {props.address.postalCode} · {props.address.countryCode}
              </address>
              <Show when={props.address.isDefault}>
                <Badge tone="good">Default</Badge>
              </Show>
            </div>
            <div class="flex flex-wrap gap-2">
              <button type="button" class="btn-ghost" onClick={() => props.edit(true)}>
                Edit
              </button>
              <Show when={!props.address.isDefault}>
                <button type="button" class="btn-ghost" onClick={() => void makeDefault(props.address.id)}>
                  Make default
                </button>
              </Show>
              <ConfirmAction label="Delete" question={`Delete ${addressLine(props.address)}? Orders already placed keep their address.`} confirmLabel="Delete address" danger run={() => remove(props.address.id)} />
            </div>
          </>
        }
      >
        <AddressForm address={props.address} save={(fields, isDefault) => save(props.address.id, fields, isDefault).then(() => props.edit(false))} cancel={() => props.edit(false)} />
      </Show>
    </li>
  );
}

function AddressBook(): JSX.Element {
  const book = createAsync(() => getAddresses());
  const save = useAction(saveAddress);
  const navigate = useNavigate();
  const [params] = useSearchParams<{ next?: string }>();
  const [editing, setEditing] = createSignal<string | null>(null);
  const [adding, setAdding] = createSignal(false);
  const next = (): SitePath | null => safeNext(params.next);
  const full = (): boolean => (book()?.addresses.length ?? 0) >= (book()?.max ?? 1);

  async function add(fields: Parameters<typeof save>[1], isDefault: boolean): Promise<void> {
    await save(null, fields, isDefault);
    setAdding(false);
    const back = next();
    if (back !== null) navigate(back);
  }

  return (
    <div class="grid gap-4">
      <Show when={next()}>
        {(back) => (
          <p class="m-0 text-sm text-muted">
            Add the address your orders go to; you will be back at <Link href={back()}>your cart</Link> once it is saved.
          </p>
        )}
      </Show>
      <ul class="m-0 grid list-none gap-3 p-0">
        <For each={book()?.addresses} fallback={<EmptyState title="No addresses yet" icon="📦">Add the address your orders should go to.</EmptyState>}>
          {(address) => <AddressCard address={address} editing={editing() === address.id} edit={(on) => setEditing(on ? address.id : null)} />}
        </For>
      </ul>
      <Show
        when={adding() || book()?.addresses.length === 0}
        fallback={
          <button type="button" class="btn-premium justify-self-start" disabled={full()} onClick={() => setAdding(true)}>
            {full() ? `Address book full (${book()?.max ?? 0})` : 'Add an address'}
          </button>
        }
      >
        <section class="card-premium p-4" aria-labelledby="new-address-title">
          <h2 id="new-address-title" class="m-0 mb-3 text-lg font-bold">
            New address
          </h2>
          <AddressForm save={add} {...(book()?.addresses.length === 0 ? {} : { cancel: () => setAdding(false) })} />
        </section>
      </Show>
    </div>
  );
}

export function AddressesPage(): JSX.Element {
  return (
    <RequireRole roles={['BUYER']}>
      {() => (
        <div class="mx-auto grid max-w-2xl gap-2">
          <PageHeader title="Addresses" subtitle="Where your orders go. The default is chosen for you at checkout." />
          <Async rows={3}>
            <AddressBook />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
