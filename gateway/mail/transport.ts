/**
 * Mail transports (issue #6), the port the sender (sender.ts) delivers through. The outbox row is
 * the mail; a transport only delivers it:
 * - outbox only (no SMTP_URL): the row is the delivery, stored as sent when the mail is planned
 *   (exactly once, by the outbox's key); operators read the mail at GET /api/admin/mail.
 * - SMTP (SMTP_URL): smtp.ts, nodemailer behind our URL rules. A mail over SMTP is at least once
 *   (outgoing.ts says why, and what the Message-ID does about it).
 */
import type { Logger } from '../../runtime/logger.ts';
import type { OutgoingMail } from './outgoing.ts';
import { SmtpTransport } from './smtp.ts';

export type { OutgoingMail } from './outgoing.ts';

export interface MailTransport {
  readonly name: string;
  /** Set when delivery is the outbox row itself (outbox only): a mail is then stored as sent,
   *  and never claimed and marked by the sender, which would cost two more writes per mail. */
  readonly deliversOnEnqueue?: boolean;
  /** Resolves once the mail is accepted for delivery; rejects with a reason otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}

export const outboxOnlyTransport: MailTransport = {
  name: 'outbox',
  deliversOnEnqueue: true,
  send: async () => {},
};

/** Throws on an SMTP_URL that smtp.ts refuses (say, credentials that would cross a network in the clear). */
export function createTransport(mail: { readonly smtpUrl: string | undefined }, logger: Logger): MailTransport {
  if (mail.smtpUrl === undefined) return outboxOnlyTransport;
  const transport = new SmtpTransport(mail.smtpUrl);
  logger.info({ smtp: transport.describe() }, 'mail goes out over SMTP');
  return transport;
}
