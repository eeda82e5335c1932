/**
 * The mail outbox (table `mail_outbox`, migration 007): the single source of truth for mail.
 * Planning inserts (never twice per key); the sender claims due rows under a lease, and marks
 * each one sent, or pending again with a backoff, or failed after the last attempt.
 *
 * Every state change after a claim is conditional on the claim's lease token, so a sender whose
 * lease expired (it hung, or crashed and came back) cannot overwrite the outcome of the sender
 * that claimed the row after it.
 */
import { numberOrNull, textOrNull, totalOf } from '../../adapters/row-values.ts';
import type { Db } from '../../adapters/db.ts';
import type { MailDto, MailStatus, Page } from '../views.ts';
import type { PlannedMail } from './plan.ts';

export interface ClaimedMail extends PlannedMail {
  /** Attempts including this one. */
  readonly attempts: number;
  readonly leaseOwner: string;
}

export interface RetryPolicy {
  /** Delay before the 2nd attempt; each later one doubles it. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Attempts before a mail is `failed` for good. */
  readonly attemptsMax: number;
}

/** The delay after failed attempt number `attempts` (1-based): base × 2^(attempts−1), capped. */
export function retryDelayMs(attempts: number, policy: RetryPolicy): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * How planned mail enters the outbox: `queued` for the sender to claim and deliver, or
 * `delivered` when the row itself is the delivery (no SMTP: the operators read it), stored as
 * sent at once, its one attempt the store.
 */
export type Enqueuing = 'queued' | 'delivered';

/** Inserts the mails not already in the outbox; returns how many were new. */
export async function enqueueMails(db: Db, mails: readonly PlannedMail[], enqueuing: Enqueuing = 'queued'): Promise<number> {
  if (mails.length === 0) return 0;
  const rows = mails.map((mail) => ({ id: mail.id, kind: mail.kind, to_address: mail.to, subject: mail.subject, body: mail.text, created_at: mail.createdAt }));
  const values =
    enqueuing === 'queued'
      ? `'pending', 0, v.created_at, v.created_at, NULL::bigint`
      : `'sent', 1, NULL::bigint, v.created_at, v.created_at`;
  const inserted = await db.query(
    `INSERT INTO mail_outbox (id, kind, to_address, subject, body, status, attempts, next_attempt_at, created_at, sent_at)
     SELECT v.id, v.kind, v.to_address, v.subject, v.body, ${values}
     FROM json_to_recordset($1::json) AS v(id text, kind text, to_address text, subject text, body text, created_at bigint)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  return inserted.length;
}

function toClaimed(row: Record<string, unknown>): ClaimedMail {
  return {
    id: String(row['id']),
    kind: String(row['kind']) as ClaimedMail['kind'],
    to: String(row['to_address']),
    subject: String(row['subject']),
    text: String(row['body']),
    createdAt: Number(row['created_at']),
    attempts: Number(row['attempts']),
    leaseOwner: String(row['lease_owner']),
  };
}

/**
 * Fails for good the rows whose lease expired on their last attempt (the sender died during
 * it), then claims up to `limit` due rows: pending ones whose time has come and sending ones whose
 * lease expired, the longest due first. Each claim counts as an attempt. One statement: the sender
 * runs this on every wake-up, and under a checkout load that is a round of the mail consumer. The
 * two updates see the same snapshot and touch disjoint rows (attempts at the limit, or below it).
 *
 * The pending rows are read in their partial index's order and cut at `limit` before they are
 * merged with the expired leases (as many as the senders that died held), so a claim costs
 * O(limit) however long the queue. One sort over both (by
 * `coalesce(next_attempt_at, lease_until)`, which no index holds) read and sorted every due row:
 * 6.8 ms a claim with 3,000 mails waiting, found in the checkout benchmark, where it made the
 * sender slower the further it fell behind.
 */
export async function claimDueMails(db: Db, owner: string, now: number, leaseMs: number, limit: number, attemptsMax: number): Promise<ClaimedMail[]> {
  const rows = await db.query(claimDueMailsSql, [owner, now + leaseMs, now, limit, attemptsMax]);
  return rows.map(toClaimed);
}

/** claimDueMails' statement: $1 owner, $2 lease until, $3 now, $4 limit, $5 attempts max. */
export const claimDueMailsSql = `WITH given_up AS (
       UPDATE mail_outbox SET status = 'failed', next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
         last_error = coalesce(last_error || '; ', '') || 'the sender stopped during the last attempt'
       WHERE status = 'sending' AND lease_until <= $3 AND attempts >= $5
       RETURNING id),
     due AS (
       SELECT id, next_attempt_at AS due_at FROM mail_outbox
       WHERE status = 'pending' AND next_attempt_at <= $3
       ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),
     expired AS (
       SELECT id, coalesce(next_attempt_at, lease_until) AS due_at FROM mail_outbox
       WHERE status = 'sending' AND lease_until <= $3 AND attempts < $5
       ORDER BY coalesce(next_attempt_at, lease_until), id LIMIT $4 FOR UPDATE SKIP LOCKED),
     chosen AS (
       SELECT id FROM (SELECT id, due_at FROM due UNION ALL SELECT id, due_at FROM expired) AS candidates
       ORDER BY due_at, id LIMIT $4)
     UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, lease_owner = $1, lease_until = $2
     WHERE id IN (SELECT id FROM chosen)
     RETURNING id, kind, to_address, subject, body, created_at, attempts, lease_owner`;

/** Marks a claimed mail sent; false when the claim was lost (its lease expired and was taken). */
export async function markMailSent(db: Db, mail: ClaimedMail, now: number): Promise<boolean> {
  return (await markMailsSent(db, [mail], now)).has(mail.id);
}

/** Marks claimed mails sent in one statement; returns the ids whose claim still held. */
export async function markMailsSent(db: Db, mails: readonly ClaimedMail[], now: number): Promise<Set<string>> {
  if (mails.length === 0) return new Set();
  const rows = await db.query(
    `UPDATE mail_outbox m SET status = 'sent', sent_at = $2, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
     FROM json_to_recordset($1::json) AS c(id text, lease_owner text)
     WHERE m.id = c.id AND m.lease_owner = c.lease_owner AND m.status = 'sending' RETURNING m.id`,
    [JSON.stringify(mails.map((mail) => ({ id: mail.id, lease_owner: mail.leaseOwner }))), now],
  );
  return new Set(rows.map((row) => String(row['id'])));
}

/** Records a failed attempt: pending again after the backoff, or failed after the last attempt. */
export async function markMailFailed(db: Db, mail: ClaimedMail, error: string, now: number, policy: RetryPolicy): Promise<MailStatus | null> {
  const finalAttempt = mail.attempts >= policy.attemptsMax;
  const rows = await db.query(
    `UPDATE mail_outbox SET status = $3, last_error = $4, next_attempt_at = $5, lease_owner = NULL, lease_until = NULL
     WHERE id = $1 AND lease_owner = $2 AND status = 'sending' RETURNING status`,
    [mail.id, mail.leaseOwner, finalAttempt ? 'failed' : 'pending', error.slice(0, 1_000), finalAttempt ? null : now + retryDelayMs(mail.attempts, policy)],
  );
  const row = rows[0];
  return row === undefined ? null : (String(row['status']) as MailStatus);
}

function toDto(row: Record<string, unknown>): MailDto {
  return {
    id: String(row['id']),
    kind: String(row['kind']) as MailDto['kind'],
    to: String(row['to_address']),
    subject: String(row['subject']),
    text: String(row['body']),
    status: String(row['status']) as MailStatus,
    attempts: Number(row['attempts']),
    lastError: textOrNull(row['last_error']),
    nextAttemptAt: numberOrNull(row['next_attempt_at']),
    createdAt: Number(row['created_at']),
    sentAt: numberOrNull(row['sent_at']),
  };
}

/** The outbox, newest first, optionally of one status: the operators' view. */
export async function listMails(db: Db, query: { readonly status?: MailStatus | undefined; readonly page: number; readonly pageSize: number }): Promise<Page<MailDto>> {
  const offset = (query.page - 1) * query.pageSize;
  const where = query.status === undefined ? '' : 'WHERE status = $3';
  const parameters: unknown[] = [query.pageSize, offset, ...(query.status === undefined ? [] : [query.status])];
  const [rows, counted] = await Promise.all([
    db.query(`SELECT * FROM mail_outbox ${where} ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, parameters),
    db.query(`SELECT count(*) AS total FROM mail_outbox ${query.status === undefined ? '' : 'WHERE status = $1'}`, query.status === undefined ? [] : [query.status]),
  ]);
  return { items: rows.map(toDto), page: query.page, pageSize: query.pageSize, total: totalOf(counted) };
}
