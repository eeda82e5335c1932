/**
 * The outbox and the sender on a real (embedded) PostgreSQL and a virtual clock: one row per
 * key, leases that expire after a crash, backoff, and the final `failed`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.ts';
import { openHarness, type Harness } from '../../runtime/testing/harness.ts';
import { claimDueMails, claimDueMailsSql, enqueueMails, listMails, markMailSent, retryDelayMs } from '../../persistence/projections/mail/outbox.ts';
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

  it('stores mail as sent when the row is the delivery (no SMTP), and leaves nothing to claim', async () => {
    expect(await enqueueMails(harness.db, [mail('d1'), mail('d2')], 'delivered')).toBe(2);
    expect(await enqueueMails(harness.db, [mail('d1')], 'delivered')).toBe(0);
    expect(await claimDueMails(harness.db, 'sender', harness.clock.now() + 1, limits.leaseMs, 10, limits.attemptsMax)).toEqual([]);
    const delivered = await row('welcome:d1');
    expect(delivered).toMatchObject({ status: 'sent', attempts: 1, nextAttemptAt: null, lastError: null });
    expect(delivered?.sentAt).toBe(delivered?.createdAt);
  });

  it('claims at most `limit` rows, the longest due first, whether pending or with an expired lease', async () => {
    const start = harness.clock.now();
    await enqueueMails(harness.db, [mail('u1'), mail('u2')]);
    const [crashed] = await claimDueMails(harness.db, 'crashed', start, limits.leaseMs, 1, limits.attemptsMax);
    expect(crashed?.id).toBe('welcome:u1');
    harness.clock.advance(limits.leaseMs + 10);
    await enqueueMails(harness.db, [mail('u3'), mail('u4')]);
    // Due since: u1 start (its claim's lease ran out) and u2 start, u3 and u4 start + lease + 10.
    const now = harness.clock.now();
    const first = await claimDueMails(harness.db, 'a', now, limits.leaseMs, 2, limits.attemptsMax);
    expect(first.map((claimed) => [claimed.id, claimed.attempts]).sort()).toEqual([['welcome:u1', 2], ['welcome:u2', 1]]);
    const rest = await claimDueMails(harness.db, 'b', now, limits.leaseMs, 5, limits.attemptsMax);
    expect(rest.map((claimed) => claimed.id).sort()).toEqual(['welcome:u3', 'welcome:u4']);
    expect(await claimDueMails(harness.db, 'c', now, limits.leaseMs, 5, limits.attemptsMax)).toEqual([]);
  });

  it('reads no more rows for a claim than it claims, however many mails wait', async () => {
    await enqueueMails(harness.db, Array.from({ length: 400 }, (_, index) => mail(`q${index}`)));
    const now = harness.clock.now();
    // EXPLAIN ANALYZE runs the update, so it runs in a transaction that is then rolled back.
    const plan = await harness.db
      .transaction(async (tx) => {
        const rows = await tx.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${claimDueMailsSql}`, ['planner', now + limits.leaseMs, now, 20, limits.attemptsMax]);
        throw new PlanRead(rows[0]?.['QUERY PLAN']);
      })
      .catch((error: unknown) => (error instanceof PlanRead ? error.plan : Promise.reject(error)));
    const scans = scansOf(plan, 'mail_outbox');
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) expect(scan.rows, scan.node).toBeLessThanOrEqual(20);
    expect((await listMails(harness.db, { status: 'pending', page: 1, pageSize: 1 })).total).toBe(400);
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

/** Carries a plan out of a transaction that must roll back. */
class PlanRead extends Error {
  constructor(readonly plan: unknown) {
    super('plan read');
  }
}

/** Every node of an EXPLAIN (FORMAT JSON) plan that scans `relation`, with the rows it returned. */
function scansOf(plan: unknown, relation: string): { node: string; rows: number }[] {
  const found: { node: string; rows: number }[] = [];
  const visit = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === relation) found.push({ node: String(node['Node Type']), rows: Number(node['Actual Rows']) });
    for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  const root = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: Record<string, unknown> }[];
  for (const entry of root) visit(entry.Plan);
  return found;
}
