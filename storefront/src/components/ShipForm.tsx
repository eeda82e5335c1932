/**
 * "Ship" with the carrier and tracking number (issue #15 §4): the first click opens the form
 * beside the button, and "Confirm shipment" ships. Tracking is optional but goes as a pair, so
 * the buyer either gets a number to follow or none, never half of one.
 */
import { createSignal, createUniqueId, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { useAction } from '@solidjs/router';
import { shipOrder } from '../data/orders.ts';
import { useCommand } from '../lib/command.ts';
import { noteOwnAction } from '../lib/toasts.ts';
import { ErrorNote } from './ui.tsx';

export function ShipForm(props: { orderId: string; compact?: boolean }): JSX.Element {
  const ship = useAction(shipOrder);
  const [open, setOpen] = createSignal(false);
  const [carrier, setCarrier] = createSignal('');
  const [trackingNumber, setTrackingNumber] = createSignal('');
  const command = useCommand();
  const carrierId = createUniqueId();
  const trackingId = createUniqueId();

  async function submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const pair = { carrier: carrier().trim(), trackingNumber: trackingNumber().trim() };
    if ((pair.carrier === '') !== (pair.trackingNumber === '')) return command.fail('Give both the carrier and the tracking number, or leave both empty.');
    noteOwnAction(props.orderId, ['SHIPPED']);
    if (await command.run(() => ship(props.orderId, pair.carrier === '' ? undefined : pair))) setOpen(false);
  }

  return (
    <Show
      when={open()}
      fallback={
        <button type="button" class={`btn-premium ${props.compact === true ? '!py-1.5 text-sm' : ''}`} aria-expanded="false" onClick={() => setOpen(true)}>
          Ship
        </button>
      }
    >
      <form class="grid w-full gap-2 rounded-xl border border-line bg-[var(--c-hover)] p-3 rise-in sm:grid-cols-[1fr_1fr_auto] sm:items-end" aria-label="Shipment" onSubmit={(event) => void submit(event)}>
        <div>
          <label for={carrierId} class="field-label">
            Carrier
          </label>
          <input id={carrierId} class="field" maxLength={40} placeholder="UPS" value={carrier()} onInput={(event) => setCarrier(event.currentTarget.value)} />
        </div>
        <div>
          <label for={trackingId} class="field-label">
            Tracking number
          </label>
          <input id={trackingId} class="field font-mono" maxLength={60} placeholder="1Z999AA10123456784" value={trackingNumber()} onInput={(event) => setTrackingNumber(event.currentTarget.value)} />
        </div>
        <div class="flex gap-2">
          <button type="submit" class="btn-premium" disabled={command.pending()}>
            Confirm shipment
          </button>
          <button type="button" class="btn-ghost" disabled={command.pending()} onClick={() => setOpen(false)}>
            Not yet
          </button>
        </div>
        <div class="sm:col-span-3">
          <ErrorNote error={command.error()} />
        </div>
      </form>
    </Show>
  );
}
