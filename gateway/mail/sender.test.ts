/** The sender's wake-ups on PGlite: the mail planned within `wakeDelayMs` of a wake-up goes in one round. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDb } from '../../persistence/adapters/counting-db.ts';
import type { Db } from '../../persistence/adapters/db.ts';
import { openMigratedPglite } from '../../persistence/adapters/testing/pglite-template.ts';
import { enqueueMails } from '../../persistence/projections/mail/outbox.ts';
import { VirtualClock } from '../../runtime/clock.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { gatewayLimits } from '../app/limits.ts';
import { MailSender } from './sender.ts';
import type { OutgoingMail } from './transport.ts';

let db: Db;
beforeAll(async () => {
  db = await openMigratedPglite();
}, 60_000);
afterAll(() => db.close());

const mail = (n: number, at: number) => ({ id: `welcome:u${n}`, kind: 'welcome' as const, to: `u${n}@example.test`, subject: 'Hi', text: 'Hello', createdAt: at });

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('MailSender wake-ups', () => {
  it('sends the mail planned during its wake-up delay in one round, and a full batch is followed at once', async () => {
    const clock = new VirtualClock(1_000);
    const counted = countingDb(db);
    const sent: OutgoingMail[] = [];
    const limits = { ...gatewayLimits.mail, batchSize: 4, wakeDelayMs: 100, pollMs: 60_000 };
    const sender = new MailSender(counted, { name: 'test', send: async (outgoing) => void sent.push(outgoing) }, { from: 'shop@example.test', clock, logger: silentLogger, limits });
    sender.start();
    const before = counted.counts().statements;
    for (let n = 1; n <= 6; n += 1) {
      await enqueueMails(db, [mail(n, clock.now())]);
      sender.wake();
    }
    await until(() => sent.length === 6);
    // Two rounds (a full batch of 4, then the 2 left at once), each a claim and a mark.
    expect(counted.counts().statements - before).toBe(4);
    await sender.stop();
  });
});
