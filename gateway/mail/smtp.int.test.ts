/**
 * The SMTP transport against a REAL SMTP server: Python 3.11's stdlib `smtpd` DebuggingServer,
 * which prints every mail it receives to stdout. Skipped, with the reason, when python3 or its
 * smtpd module is missing (Python 3.12 removed smtpd).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto, MailDto, Page } from '../api-types.ts';
import { eventually, startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { retryDelayMs } from '../../persistence/projections/mail/outbox.ts';

import { SmtpTransport } from './smtp.ts';
import { messageIdFor } from './outgoing.ts';
import { gatewayLimits } from '../app/limits.ts';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';

const probe = spawnSync('python3', ['-W', 'ignore', '-c', 'import smtpd'], { encoding: 'utf8' });
const skipReason = probe.error !== undefined ? `python3 is missing (${probe.error.message})` : probe.status !== 0 ? `python3 has no smtpd module: ${probe.stderr.trim().split('\n').at(-1)}` : null;
if (skipReason !== null) console.warn(`smtp.int.test.ts skipped: ${skipReason}`);

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let smtpd: ChildProcess | undefined;
let received = '';
let port = 0;

beforeAll(async () => {
  if (skipReason !== null) return;
  port = await freePort();
  smtpd = spawn('python3', ['-u', '-W', 'ignore', '-m', 'smtpd', '-n', '-c', 'DebuggingServer', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  smtpd.stdout?.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  await eventually(async () => ((await accepts(port)) ? true : null), 10_000);
});

afterAll(() => {
  smtpd?.kill();
});

/** The lines of every message the server printed, unwrapped from Python's b'…' reprs. */
function receivedMessages(): string[][] {
  return received
    .split('---------- MESSAGE FOLLOWS ----------')
    .slice(1)
    .map((block) => block.split('------------ END MESSAGE ------------')[0] ?? '')
    .map((block) => block.trim().split('\n').map((line) => line.replace(/^b'(.*)'$/, '$1').replace(/^b"(.*)"$/, '$1')));
}

describe.skipIf(skipReason !== null)('SMTP transport against a real SMTP server', () => {
  it('delivers headers and a dot-stuffed body intact', async () => {
    const transport = new SmtpTransport(`smtp://127.0.0.1:${port}`);
    const messageId = messageIdFor('shipped:o-dots', 'no-reply@bazaary.dev');
    await transport.send({
      id: 'shipped:o-dots', from: 'Bazaary <no-reply@bazaary.dev>', to: 'dots@example.test', subject: 'Dots', messageId, date: Date.UTC(2026, 0, 1),
      text: 'first line\n.hidden line\n.\nlast line\n',
    });
    const message = await eventually(async () => receivedMessages().find((lines) => lines.includes(`Message-ID: ${messageId}`)) ?? null);
    expect(message).toEqual(expect.arrayContaining(['From: Bazaary <no-reply@bazaary.dev>', 'To: dots@example.test', 'Subject: Dots']));
    // Without dot-stuffing the server would strip the first dot, and a lone "." would end DATA early.
    const body = message.slice(message.indexOf('') + 1);
    expect(body).toEqual(['first line', '.hidden line', '.', 'last line']);
  });

  describe('through the gateway with SMTP_URL set', () => {
    let harness: TestGateway;
    let admin: AuthDto;
    beforeAll(async () => {
      harness = await startTestGateway({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Bazaary <mail@bazaary.test>' });
      admin = await harness.admin();
    }, 60_000);
    afterAll(async () => harness?.close());

    it('sends the welcome mail to the server and marks it sent', async () => {
      const user = await harness.register('smtp-welcome@example.test', 'BUYER');
      const messageId = messageIdFor(`welcome:${user.user.id}`, 'mail@bazaary.test');
      const message = await eventually(async () => receivedMessages().find((lines) => lines.includes(`Message-ID: ${messageId}`)) ?? null);
      expect(message).toEqual(expect.arrayContaining(['To: smtp-welcome@example.test', 'Subject: Welcome to Bazaary', 'From: Bazaary <mail@bazaary.test>']));
      const sent = await eventually(async () => {
        const page = (await harness.call('GET', '/api/admin/mail?status=sent', { token: admin.token })).body as Page<MailDto>;
        return page.items.find((mail) => mail.id === `welcome:${user.user.id}`) ?? null;
      });
      expect(sent).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    });
  });

  describe('through the gateway when the SMTP server is down', () => {
    let harness: TestGateway;
    let admin: AuthDto;
    beforeAll(async () => {
      harness = await startTestGateway({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
      admin = await harness.admin();
    }, 60_000);
    afterAll(async () => harness?.close());

    async function welcome(userId: string): Promise<MailDto | null> {
      const page = (await harness.call('GET', '/api/admin/mail?pageSize=100', { token: admin.token })).body as Page<MailDto>;
      return page.items.find((mail) => mail.id === `welcome:${userId}`) ?? null;
    }

    it('retries with exponential backoff and ends failed, visible to operators', async () => {
      const user = await harness.register('smtp-down@example.test', 'BUYER');
      const db = harness.gateway.system.stores.db;
      const sender = harness.gateway.system.mail;
      await eventually(async () => ((await welcome(user.user.id))?.attempts === 1 ? true : null));
      for (let attempt = 1; attempt < gatewayLimits.mail.attemptsMax; attempt += 1) {
        const mail = await welcome(user.user.id);
        expect(mail).toMatchObject({ status: 'pending', attempts: attempt });
        expect(mail?.lastError).toContain('ECONNREFUSED');
        // Time travel for the retry: make the row due now instead of waiting out the backoff.
        await db.query(`UPDATE mail_outbox SET next_attempt_at = 0 WHERE id = $1 AND status = 'pending'`, [`welcome:${user.user.id}`]);
        const before = Date.now();
        await eventually(async () => {
          await sender.runOnce();
          return ((await welcome(user.user.id))?.attempts ?? 0) > attempt ? true : null;
        });
        const after = Date.now();
        const next = await welcome(user.user.id);
        if (next?.status === 'pending') {
          // The row's next time is the backoff after this attempt, measured from when it ran.
          expect(next.nextAttemptAt).toBeGreaterThanOrEqual(before + retryDelayMs(attempt + 1, gatewayLimits.mail));
          expect(next.nextAttemptAt).toBeLessThanOrEqual(after + retryDelayMs(attempt + 1, gatewayLimits.mail));
        }
      }
      const failed = (await harness.call('GET', '/api/admin/mail?status=failed', { token: admin.token })).body as Page<MailDto>;
      expect(failed.total).toBe(1);
      expect(failed.items[0]).toMatchObject({ id: `welcome:${user.user.id}`, status: 'failed', attempts: gatewayLimits.mail.attemptsMax, nextAttemptAt: null, sentAt: null });
      expect(failed.items[0]?.lastError).toContain('ECONNREFUSED');
    });
  });
});
