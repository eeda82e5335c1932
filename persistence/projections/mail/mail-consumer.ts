/**
 * The mail consumer of the event processor: plans order mails from journal entries (plan.ts)
 * and inserts them into the outbox, where the key makes a repeat insert nothing. It runs after
 * the read-model consumer in the same round, so the order's parties are in `orders` already.
 * Addresses come from `users`; a seller created without an account (tests, the seed) falls back
 * to the address of its seller profile, and a party with neither gets no mail.
 */
import type { Db } from '../../adapters/db.ts';
import type { Consumer } from '../../adapters/consumer.ts';
import { enqueueMails } from './outbox.ts';
import type { MailParties, PlannedMail } from './plan.ts';
import { mayProduceMail, planOrderMails } from './plan.ts';
import { idOfKey } from '../../../actors/keys.ts';

async function partiesOf(db: Db, orderIds: readonly string[]): Promise<Map<string, MailParties>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db.query(
    `SELECT o.id, o.total_minor, b.email AS buyer_email, coalesce(su.email, s.email) AS seller_email,
       coalesce(s.name, su.display_name, '') AS seller_name
     FROM orders o
     LEFT JOIN users b ON b.id = o.buyer_id
     LEFT JOIN users su ON su.id = o.seller_id
     LEFT JOIN seller_stats s ON s.seller_id = o.seller_id
     WHERE o.id = ANY($1::text[])`,
    [orderIds],
  );
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return new Map(
    rows.map((row) => [
      String(row['id']),
      { buyerEmail: text(row['buyer_email']), sellerEmail: text(row['seller_email']), sellerName: String(row['seller_name']), totalMinor: Number(row['total_minor']) },
    ]),
  );
}

/** `onPlanned` is called after a batch inserted new mail (the sender's wake-up). */
export function createMailConsumer(db: Db, onPlanned: () => void = () => {}): Consumer {
  return {
    name: 'mail',
    async handle(entries) {
      const relevant = entries.filter(mayProduceMail);
      if (relevant.length === 0) return;
      const parties = await partiesOf(db, [...new Set(relevant.map((entry) => idOfKey('order', entry.key)))]);
      const planned: PlannedMail[] = [];
      for (const entry of relevant) {
        const orderParties = parties.get(idOfKey('order', entry.key));
        if (orderParties !== undefined) planned.push(...planOrderMails(entry, orderParties));
      }
      if ((await enqueueMails(db, planned)) > 0) onPlanned();
    },
  };
}
