/**
 * One shipping address, added or edited (issue #15 §5). The fields read with FormData on submit,
 * so the form holds no state of its own; the gateway's sentence for a bad field shows below it.
 */
import { createUniqueId, For } from 'solid-js';
import type { JSX } from 'solid-js';
import type { AddressDto, ShipToDto } from '../../../gateway/api-types.ts';
import { useCommand } from '../lib/command.ts';
import { ErrorNote } from './ui.tsx';

const fields: readonly { name: keyof ShipToDto; label: string; autocomplete: string; max: number; optional?: boolean }[] = [
  { name: 'name', label: 'Full name', autocomplete: 'name', max: 100 },
  { name: 'line1', label: 'Street address', autocomplete: 'address-line1', max: 120 },
  { name: 'line2', label: 'Apartment, suite (optional)', autocomplete: 'address-line2', max: 120, optional: true },
  { name: 'city', label: 'City', autocomplete: 'address-level2', max: 80 },
  { name: 'postalCode', label: 'Postal code', autocomplete: 'postal-code', max: 16 },
  { name: 'countryCode', label: 'Country code (US, GB, DE…)', autocomplete: 'country', max: 2 },
];

export function AddressForm(props: { address?: AddressDto; save: (fields: ShipToDto, isDefault: boolean) => Promise<unknown>; cancel?: () => void }): JSX.Element {
  const id = createUniqueId();
  const command = useCommand();

  async function submit(event: SubmitEvent & { currentTarget: HTMLFormElement }): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string): string => String(data.get(name) ?? '').trim();
    const address: ShipToDto = { name: text('name'), line1: text('line1'), line2: text('line2') || null, city: text('city'), postalCode: text('postalCode'), countryCode: text('countryCode').toUpperCase() };
    await command.run(() => props.save(address, data.get('isDefault') === 'on'));
  }

  return (
    <form data-testid="address-form" class="grid gap-3 sm:grid-cols-2" aria-label={props.address === undefined ? 'New address' : 'Edit address'} onSubmit={(event) => void submit(event)}>
      <For each={fields}>
        {(field) => (
          <div class={field.name === 'line1' || field.name === 'line2' || field.name === 'name' ? 'sm:col-span-2' : ''}>
            <label for={`${id}-${field.name}`} class="field-label">
              {field.label}
            </label>
            <input id={`${id}-${field.name}`} name={field.name} class="field" autocomplete={field.autocomplete} maxlength={field.max} required={field.optional !== true} value={props.address?.[field.name] ?? ''} />
          </div>
        )}
      </For>
      <label class="flex min-h-11 items-center gap-2 sm:col-span-2">
        <input type="checkbox" name="isDefault" class="h-5 w-5" checked={props.address?.isDefault ?? false} /> Use as my default address
      </label>
      <div class="flex flex-wrap gap-2 sm:col-span-2">
        <button type="submit" class="btn-premium" disabled={command.pending()} aria-describedby={command.error() === null ? undefined : `${id}-error`}>
          Save address
        </button>
        {props.cancel && (
          <button type="button" class="btn-ghost" onClick={() => props.cancel?.()}>
            Cancel
          </button>
        )}
      </div>
      <div class="sm:col-span-2">
        <ErrorNote id={`${id}-error`} error={command.error()} />
      </div>
    </form>
  );
}
