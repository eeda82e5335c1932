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
import type { PlannedMail } from './plan.ts';
import { orderParties } from '../readmodels/order-queries.ts';
import { mayProduceMail, planOrderMails } from './plan.ts';
import { idOfKey } from '../../../actors/keys.ts';

/** `enqueue` puts a batch's planned mail in the outbox; the mail sender's (gateway/mail/sender.ts)
 *  decides how it is stored and whether to wake. Without one, mail is queued for a sender. */
export function createMailConsumer(
  db: Db,
  enqueue: (mails: readonly PlannedMail[]) => Promise<unknown> = (mails) => enqueueMails(db, mails),
): Consumer {
  return {
    name: 'mail',
    async handle(entries) {
      const relevant = entries.filter(mayProduceMail);
      if (relevant.length === 0) return;
      const parties = await orderParties(db, [...new Set(relevant.map((entry) => idOfKey('order', entry.key)))]);
      const planned: PlannedMail[] = [];
      for (const entry of relevant) {
        const orderParties = parties.get(idOfKey('order', entry.key));
        if (orderParties !== undefined) planned.push(...planOrderMails(entry, orderParties));
      }
      await enqueue(planned);
    },
  };
}
