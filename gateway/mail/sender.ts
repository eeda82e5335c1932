/**
 * The mail sender: claims due outbox rows under a lease, hands each to the transport, and
 * records the outcome (outbox.ts). It is a bounded loop owned by the system (gateway/app/system.ts),
 * not an actor, on purpose: the outbox table already is its durable mailbox, with the lease as
 * its supervision, so an actor would only add a journal entry per mail and an I/O call inside a
 * decider, which deciders must not make. What bounds it: one round at a time, `batchSize` rows
 * per round, `concurrency` sends at once, every SMTP wait timed out (smtp.ts), and a lease longer
 * than the longest send, so a row is never claimed twice while its first send still runs.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../persistence/adapters/db.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { ClaimedMail, Enqueuing, RetryPolicy } from '../../persistence/projections/mail/outbox.ts';
import { claimDueMails, enqueueMails, markMailFailed, markMailsSent } from '../../persistence/projections/mail/outbox.ts';
import type { PlannedMail } from '../../persistence/projections/mail/plan.ts';
import { outgoing } from './outgoing.ts';
import type { MailTransport } from './transport.ts';

export interface MailLimits extends RetryPolicy {
  /** A claim holds a row this long; it must outlast a whole SMTP exchange (smtp.ts: 10 s to
   *  connect plus 30 s per reply). Longer delays the retry of a mail whose sender died. */
  readonly leaseMs: number;
  /** Rows claimed per round. Each is one SMTP connection, so this bounds a round's length. */
  readonly batchSize: number;
  /** SMTP connections open at once. Relays throttle senders that open many. */
  readonly concurrency: number;
  /** How often the loop looks for due mail when nothing woke it. */
  readonly pollMs: number;
  /**
   * How long a wake-up waits before its round, so the mail planned meanwhile goes in the same
   * round. The mail consumer wakes the sender after every one of its rounds; under a checkout
   * load that was a claim and a mark for every two or three mails, a tenth of the embedded
   * database's time in the live benchmark. Nobody waits on a mail by the millisecond.
   */
  readonly wakeDelayMs: number;
}

export interface MailRoundReport {
  readonly claimed: number;
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
}

export class MailSender {
  private interval: NodeJS.Timeout | null = null;
  private delayed: NodeJS.Timeout | null = null;
  private round: Promise<MailRoundReport> | null = null;
  private wakeRequested = false;

  constructor(
    private readonly db: Db,
    private readonly transport: MailTransport,
    private readonly options: { readonly from: string; readonly clock: Clock; readonly logger: Logger; readonly limits: MailLimits },
  ) {}

  get transportName(): string {
    return this.transport.name;
  }

  /** How planned mail enters the outbox with this transport (transport.ts, deliversOnEnqueue). */
  private get enqueuing(): Enqueuing {
    return this.transport.deliversOnEnqueue === true ? 'delivered' : 'queued';
  }

  /** Puts planned mail in the outbox, and wakes this sender when it has something to send. */
  async enqueue(mails: readonly PlannedMail[]): Promise<void> {
    const enqueuing = this.enqueuing;
    if ((await enqueueMails(this.db, mails, enqueuing)) > 0 && enqueuing === 'queued') this.wake();
  }

  /** Polls every `pollMs` of real time; the timer is unref'd. */
  start(): void {
    if (this.interval !== null) return;
    this.interval = setInterval(() => this.wake(), this.options.limits.pollMs);
    this.interval.unref();
  }

  /** Asks for a round within `wakeDelayMs` (after a mail was planned); rounds never overlap. */
  wake(): void {
    if (this.interval === null || this.delayed !== null) return;
    if (this.round !== null) {
      this.wakeRequested = true;
      return;
    }
    this.delayed = setTimeout(() => {
      this.delayed = null;
      this.startRound();
    }, this.options.limits.wakeDelayMs);
    this.delayed.unref();
  }

  async stop(): Promise<void> {
    if (this.interval !== null) clearInterval(this.interval);
    if (this.delayed !== null) clearTimeout(this.delayed);
    this.interval = null;
    this.delayed = null;
    await this.round?.catch(() => undefined);
  }

  private startRound(): void {
    if (this.interval === null) return;
    void this.runOnce().catch((error: unknown) => this.options.logger.error({ err: error }, 'mail round failed; the next round retries'));
  }

  private wakeIfRequested(): void {
    if (!this.wakeRequested) return;
    this.wakeRequested = false;
    this.wake();
  }

  /** One round: claim what is due now and send it. Concurrent callers share the running round. */
  runOnce(): Promise<MailRoundReport> {
    if (this.round !== null) return this.round;
    const round = this.sendDue().then(
      (report) => {
        this.round = null;
        // A full batch leaves more due mail behind: the next round goes at once.
        if (report.claimed >= this.options.limits.batchSize) this.startRound();
        else this.wakeIfRequested();
        return report;
      },
      (error: unknown) => {
        this.round = null;
        this.wakeIfRequested();
        throw error;
      },
    );
    this.round = round;
    return round;
  }

  private async sendDue(): Promise<MailRoundReport> {
    const { clock, limits } = this.options;
    // The lease token only has to be unique among senders; it is not domain data, so it does not
    // draw from the injected id generator (that would shift the ids seeded tests expect).
    const claimed = await claimDueMails(this.db, `sender-${randomUUID()}`, clock.now(), limits.leaseMs, limits.batchSize, limits.attemptsMax);
    const outcomes: ('sent' | 'retrying' | 'failed' | 'lost')[] = [];
    const sent: ClaimedMail[] = [];
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const mail = claimed[next];
        next += 1;
        if (mail === undefined) continue;
        const outcome = await this.sendOne(mail);
        if (outcome === 'sent') sent.push(mail);
        else outcomes.push(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limits.concurrency, claimed.length) }, worker));
    // One statement marks the round's sent mails (their leases outlast the round). A crash before
    // it sends them again later (outgoing.ts).
    const marked = await markMailsSent(this.db, sent, clock.now());
    for (const mail of sent) {
      if (marked.has(mail.id)) outcomes.push('sent');
      else {
        this.options.logger.warn({ mail: mail.id }, 'mail sent but its lease had passed to another sender');
        outcomes.push('lost');
      }
    }
    const count = (outcome: string) => outcomes.filter((each) => each === outcome).length;
    return { claimed: claimed.length, sent: count('sent'), retrying: count('retrying'), failed: count('failed') };
  }

  /** Sends one mail; 'sent' means the transport took it and the round still has to mark it. */
  private async sendOne(mail: ClaimedMail): Promise<'sent' | 'retrying' | 'failed' | 'lost'> {
    const { clock, logger, limits, from } = this.options;
    try {
      await this.transport.send(outgoing(mail, from, clock.now()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const status = await markMailFailed(this.db, mail, reason, clock.now(), limits);
      const fields = { mail: mail.id, attempts: mail.attempts, transport: this.transport.name, reason };
      if (status === 'failed') logger.error(fields, 'mail failed for good; see GET /api/admin/mail?status=failed');
      else logger.warn(fields, 'mail not sent; retrying with backoff');
      return status === 'failed' ? 'failed' : status === 'pending' ? 'retrying' : 'lost';
    }
    return 'sent';
  }
}
