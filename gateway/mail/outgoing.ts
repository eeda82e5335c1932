/**
 * One mail as a transport hands it on (issue #6): the outbox row plus the headers that make a
 * resend recognisable. Its own file so that the transports (smtp.ts) and the port that chooses
 * among them (transport.ts) both use it without importing each other.
 *
 * Exactly once, honestly: a sender can crash after the SMTP server accepted a mail and before
 * the row says `sent`; the lease then expires and the mail is sent again. Its `Message-ID` is
 * derived from the outbox key, so both copies carry the same id, and receiving systems that
 * deduplicate by Message-ID (most do for threading, many for delivery) show it once. That is
 * the best an outbox over SMTP can do: SMTP has no idempotent submit.
 */
import { createHash } from 'node:crypto';
import type { PlannedMail } from '../../persistence/projections/mail/plan.ts';

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
