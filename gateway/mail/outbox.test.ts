/**
 * The outbox and the sender on a real (embedded) PostgreSQL and a virtual clock: one row per
 * key, leases that expire after a crash, backoff, and the final `failed`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.ts';
import { openHarness, type Harness } from '../../runtime/testing/harness.ts';
import { claimDueMails, enqueueMails, listMails, markMailSent, retryDelayMs } from '../../persistence/projections/mail/outbox.ts';
import type { PlannedMail } from '../../persistence/projections/mail/plan.ts';
import { welcomeMail } from '../../persistence/projections/mail/plan.ts';
import { MailSender } from './sender.ts';
import { messageIdFor, type OutgoingMail } from './outgoing.ts';
import type { MailTransport } from './transport.ts';
import { outboxOnlyTransport } from './transport.ts';
import { gatewayLimits } from '../app/limits.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
}, 60_000);
afterAll(async () => harness?.close());
beforeEach(async () => {
  await harness.db.query('TRUNCATE mail_outbox');
});

const limits = { ...gatewayLimits.mail, retryBaseMs: 1_000, retryMaxMs: 4_000, attemptsMax: 4, leaseMs: 60_000 };
const mail = (id: string): PlannedMail => ({ ...welcomeMail({ id, email: `${id}@example.test`, displayName: id, role: 'BUYER' }, harness.clock.now()) });

function sender(transport: MailTransport): MailSender {
  return new MailSender(harness.db, transport, { from: 'Bazaary <no-reply@bazaary.dev>', clock: harness.clock, logger: silentLogger, limits });
}

async function row(id: string) {
  const page = await listMails(harness.db, { page: 1, pageSize: 100 });
  return page.items.find((item) => item.id === id);
}

describe('the mail outbox', () => {
  it('holds one row per key however often it is planned', async () => {
    expect(await enqueueMails(harness.db, [mail('u1'), mail('u2')])).toBe(2);
    expect(await enqueueMails(harness.db, [mail('u1'), mail('u2')])).toBe(0);
    const page = await listMails(harness.db, { page: 1, pageSize: 10 });
    expect(page.total).toBe(2);
    expect(page.items.map((item) => [item.id, item.status, item.attempts])).toEqual([
      ['welcome:u1', 'pending', 0],
      ['welcome:u2', 'pending', 0],
    ]);
  });

  it('retries a mail whose sender crashed between claim and mark, once its lease expired', async () => {
    await enqueueMails(harness.db, [mail('u1')]);
    const now = harness.clock.now();
    const [first] = await claimDueMails(harness.db, 'crashed', now, limits.leaseMs, 10, limits.attemptsMax);
    expect(first?.attempts).toBe(1);
    // The "crashed" sender never marks it. Within the lease nobody else may take it.
    expect(await claimDueMails(harness.db, 'other', now + limits.leaseMs - 1, limits.leaseMs, 10, limits.attemptsMax)).toEqual([]);
    expect((await row('welcome:u1'))?.status).toBe('sending');
    harness.clock.advance(limits.leaseMs);
    const delivered: OutgoingMail[] = [];
    const report = await sender({ name: 'recording', send: async (outgoing) => void delivered.push(outgoing) }).runOnce();
    expect(report).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    expect(delivered.map((each) => [each.to, each.messageId])).toEqual([['u1@example.test', messageIdFor('welcome:u1', 'no-reply@bazaary.dev')]]);
    expect(await row('welcome:u1')).toMatchObject({ status: 'sent', attempts: 2, sentAt: harness.clock.now() });
    // The crashed sender coming back cannot overwrite the outcome: its lease is gone.
    expect(await markMailSent(harness.db, first as NonNullable<typeof first>, harness.clock.now())).toBe(false);
  });

  it('backs off exponentially and ends failed with the last error after the last attempt', async () => {
    await enqueueMails(harness.db, [mail('u1')]);
    let calls = 0;
    const failing = sender({ name: 'down', send: async () => { calls += 1; throw new Error(`connect ECONNREFUSED (call ${calls})`); } });
    for (let attempt = 1; attempt < limits.attemptsMax; attempt += 1) {
      expect(await failing.runOnce()).toEqual({ claimed: 1, sent: 0, retrying: 1, failed: 0 });
      const delay = retryDelayMs(attempt, limits);
      expect(delay).toBe(Math.min(4_000, 1_000 * 2 ** (attempt - 1)));
      expect(await row('welcome:u1')).toMatchObject({ status: 'pending', attempts: attempt, nextAttemptAt: harness.clock.now() + delay });
      // Not due before its time.
      harness.clock.advance(delay - 1);
      expect((await failing.runOnce()).claimed).toBe(0);
      harness.clock.advance(1);
    }
    expect(await failing.runOnce()).toEqual({ claimed: 1, sent: 0, retrying: 0, failed: 1 });
    expect(await row('welcome:u1')).toMatchObject({ status: 'failed', attempts: 4, nextAttemptAt: null, lastError: 'connect ECONNREFUSED (call 4)' });
    harness.clock.advance(3_600_000);
    expect((await failing.runOnce()).claimed).toBe(0);
    expect(calls).toBe(4);
    expect((await listMails(harness.db, { status: 'failed', page: 1, pageSize: 10 })).total).toBe(1);
  });

  it('fails a mail whose sender died during its last attempt instead of trying a fifth time', async () => {
    await enqueueMails(harness.db, [mail('u1')]);
    for (let attempt = 1; attempt <= limits.attemptsMax; attempt += 1) {
      expect(await claimDueMails(harness.db, `dies-${attempt}`, harness.clock.now(), limits.leaseMs, 10, limits.attemptsMax)).toHaveLength(1);
      harness.clock.advance(limits.leaseMs);
    }
    expect((await sender(outboxOnlyTransport).runOnce()).claimed).toBe(0);
    expect(await row('welcome:u1')).toMatchObject({ status: 'failed', attempts: 4, lastError: 'the sender stopped during the last attempt' });
  });

  it('delivers through the outbox-only transport by marking the row sent, once', async () => {
    await enqueueMails(harness.db, [mail('u1'), mail('u2')]);
    const outbox = sender(outboxOnlyTransport);
    expect(await outbox.runOnce()).toEqual({ claimed: 2, sent: 2, retrying: 0, failed: 0 });
    expect(await outbox.runOnce()).toEqual({ claimed: 0, sent: 0, retrying: 0, failed: 0 });
    expect((await listMails(harness.db, { status: 'sent', page: 1, pageSize: 10 })).total).toBe(2);
  });
});
