/**
 * Mail transports (issue #6). The outbox row is the mail; a transport only delivers it:
 * - outbox only (no SMTP_URL): delivery is marking the row sent, which happens exactly once;
 *   operators read the mail at GET /api/admin/mail.
 * - SMTP (SMTP_URL): smtp.ts.
 *
 * Exactly once, honestly: a sender can crash after the SMTP server accepted a mail and before
 * the row says `sent`; the lease then expires and the mail is sent again. Its `Message-ID` is
 * derived from the outbox key, so both copies carry the same id, and receiving systems that
 * deduplicate by Message-ID (most do for threading, many for delivery) show it once. That is
 * the best an outbox over SMTP can do: SMTP has no idempotent submit.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../runtime/logger.ts';
import type { PlannedMail } from '../../persistence/projections/mail/plan.ts';
import { SmtpTransport } from './smtp.ts';

export interface OutgoingMail {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Stable per outbox key; see the header. */
  readonly messageId: string;
  readonly date: number;
}

export interface MailTransport {
  readonly name: string;
  /** Resolves once the mail is accepted for delivery; rejects with a reason otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}

export const outboxOnlyTransport: MailTransport = {
  name: 'outbox',
  send: async () => {},
};

/** The bare address of `Name <addr@host>` or `addr@host`. */
export function addressOf(mailbox: string): string {
  const match = /<([^<>]+)>\s*$/.exec(mailbox);
  return (match?.[1] ?? mailbox).trim();
}

export function messageIdFor(key: string, from: string): string {
  const domain = addressOf(from).split('@')[1] ?? 'bazaary.local';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

export function outgoing(mail: PlannedMail, from: string, now: number): OutgoingMail {
  return { id: mail.id, from, to: mail.to, subject: mail.subject, text: mail.text, messageId: messageIdFor(mail.id, from), date: now };
}

export function createTransport(mail: { readonly smtpUrl: string | undefined }, logger: Logger): MailTransport {
  if (mail.smtpUrl === undefined) return outboxOnlyTransport;
  const transport = new SmtpTransport(mail.smtpUrl);
  logger.info({ smtp: transport.describe() }, 'mail goes out over SMTP');
  return transport;
}
