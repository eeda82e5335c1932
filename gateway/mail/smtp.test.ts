/**
 * The SMTP transport (nodemailer behind our SMTP_URL rules) against a scripted peer on loopback
 * (smtp-peer.ts): what reaches the server, when STARTTLS is used, and when credentials are sent.
 * The STARTTLS cases need a throwaway certificate from `openssl`, and are skipped, saying so,
 * when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addressOf, messageIdFor, type OutgoingMail } from './outgoing.ts';
import { SmtpPeer, type SmtpPeerOptions } from './smtp-peer.ts';
import { parseSmtpUrl, SmtpTransport } from './smtp.ts';
import { createTransport, outboxOnlyTransport } from './transport.ts';
import { silentLogger } from '../../runtime/logger.ts';

const mail: OutgoingMail = {
  id: 'shipped:o-1', from: 'Bazaary <no-reply@bazaary.dev>', to: 'buyer@example.test', subject: 'Shipped', text: 'hello\n', messageId: '<m1@bazaary.dev>', date: Date.UTC(2026, 0, 1),
};

const peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

/** The commands a peer saw before QUIT, which nodemailer sends after `send` has resolved. */
const commandsOf = (peer: SmtpPeer) => peer.commands.filter((verb) => !verb.startsWith('QUIT'));

async function startPeer(options: SmtpPeerOptions = {}): Promise<{ peer: SmtpPeer; port: number }> {
  const peer = new SmtpPeer(options);
  peers.push(peer);
  return { peer, port: await peer.listen() };
}

function selfSignedCertificate(): { key: string; cert: string } | string {
  const folder = mkdtempSync(join(tmpdir(), 'bazaary-smtp-'));
  try {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'), '-subj', '/CN=localhost', '-days', '1'], { encoding: 'utf8' });
    if (made.error !== undefined) return `openssl is missing (${made.error.message})`;
    if (made.status !== 0) return `openssl failed: ${made.stderr.trim().split('\n').at(-1)}`;
    return { key: readFileSync(join(folder, 'key.pem'), 'utf8'), cert: readFileSync(join(folder, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('the outgoing mail', () => {
  it('derives a stable Message-ID from the outbox key', () => {
    expect(messageIdFor('welcome:u1', 'Bazaary <no-reply@bazaary.dev>')).toBe(messageIdFor('welcome:u1', 'no-reply@bazaary.dev'));
    expect(messageIdFor('welcome:u1', 'x@bazaary.dev')).not.toBe(messageIdFor('welcome:u2', 'x@bazaary.dev'));
    expect(messageIdFor('welcome:u1', 'x@bazaary.dev')).toMatch(/^<[0-9a-f]{32}@bazaary\.dev>$/);
    expect(addressOf('Shop <s@example.test>')).toBe('s@example.test');
  });
});

describe('SMTP_URL', () => {
  it('reads defaults, credentials and the STARTTLS choice', () => {
    expect(parseSmtpUrl('smtp://mail.example.test')).toEqual({ secure: false, host: 'mail.example.test', port: 25, user: null, password: null, startTls: 'when-offered', rejectUnauthorized: true });
    expect(parseSmtpUrl('smtps://u%40x:p%3Ass@mail.example.test')).toMatchObject({ secure: true, host: 'mail.example.test', port: 465, user: 'u@x', password: 'p:ss', rejectUnauthorized: true });
    expect(parseSmtpUrl('smtp://relay.test:587?requireTLS=true').startTls).toBe('required');
    expect(parseSmtpUrl('smtp://relay.test:587?ignoreTLS=true').startTls).toBe('never');
    expect(parseSmtpUrl('smtp://relay.test?tls.rejectUnauthorized=false').rejectUnauthorized).toBe(false);
  });

  it('never lets credentials cross a network in the clear', () => {
    expect(parseSmtpUrl('smtp://u:p@mail.example.test:587').startTls).toBe('required');
    expect(parseSmtpUrl('smtp://u:p@127.0.0.1:2525').startTls).toBe('when-offered');
    expect(() => parseSmtpUrl('smtp://u:p@mail.example.test:587?ignoreTLS=true')).toThrow('in the clear');
  });

  it.each([
    ['http://mail.example.test', 'must start with smtp: or smtps:'],
    ['smtp://mail.example.test?requireTls=true', 'unknown parameter requireTls'],
    ['smtp://mail.example.test?requireTLS=yes', 'must be true or false'],
    ['smtp://mail.example.test?requireTLS=true&ignoreTLS=true', 'contradict'],
    ['smtps://mail.example.test?requireTLS=true', 'smtps:// is TLS from the start'],
  ])('refuses %s (%s)', (url, message) => {
    expect(() => new SmtpTransport(url)).toThrow(message);
  });

  it('chooses the outbox without a URL and SMTP with one', () => {
    expect(createTransport({ smtpUrl: undefined }, silentLogger)).toBe(outboxOnlyTransport);
    expect(createTransport({ smtpUrl: 'smtp://127.0.0.1:2525' }, silentLogger).name).toBe('smtp');
  });
});

describe('SMTP transport against a scripted peer', () => {
  it('delivers the headers on one line each and the body with its dots intact', async () => {
    const { peer, port } = await startPeer();
    await new SmtpTransport(`smtp://127.0.0.1:${port}`).send({ ...mail, subject: 'Größe\r\nBcc: evil@x.test', text: 'first line\n.hidden line\n.\nlast line\n' });
    expect(commandsOf(peer)).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA']);
    const [message] = peer.messages;
    const [head = '', body] = (message ?? '').split('\n\n');
    const headers = head.split('\n');
    expect(headers).toEqual(expect.arrayContaining(['From: Bazaary <no-reply@bazaary.dev>', 'To: buyer@example.test', 'Message-ID: <m1@bazaary.dev>', 'Date: Thu, 01 Jan 2026 00:00:00 +0000']));
    // The subject is encoded on its own line: the CRLF in it must not start a Bcc header.
    expect(headers.find((line) => line.startsWith('Subject: '))).toMatch(/^Subject: =\?UTF-8\?/);
    expect(headers.some((line) => /^bcc:/i.test(line))).toBe(false);
    // The peer undoes dot-stuffing: unstuffed, ".hidden" would lose its dot and the lone "." end DATA early.
    expect(body).toBe('first line\n.hidden line\n.\nlast line');
  });

  it('logs in over plain text to loopback only', async () => {
    const { peer, port } = await startPeer({ auth: true });
    await new SmtpTransport(`smtp://user:secret@127.0.0.1:${port}`).send(mail);
    expect(commandsOf(peer)).toEqual(['EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA']);
  });

  it('fails the mail, before any credential or address is sent, when STARTTLS is required but not offered', async () => {
    const { peer, port } = await startPeer({ auth: true });
    await expect(new SmtpTransport(`smtp://user:secret@127.0.0.1:${port}?requireTLS=true`).send(mail)).rejects.toThrow(/STARTTLS/);
    expect(commandsOf(peer).filter((verb) => ['AUTH', 'MAIL', 'RCPT', 'DATA'].includes(verb))).toEqual([]);
    expect(peer.messages).toEqual([]);
  });

  it('rejects with the socket error when nothing listens', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    await new Promise((resolve) => server.close(resolve));
    await expect(new SmtpTransport(`smtp://127.0.0.1:${port}`).send(mail)).rejects.toThrow(/ECONNREFUSED/);
  });

  describe('with STARTTLS offered', () => {
    let certificate: { key: string; cert: string } | string = 'not made yet';
    beforeAll(() => {
      certificate = selfSignedCertificate();
      if (typeof certificate === 'string') console.warn(`smtp.test.ts: STARTTLS cases skipped: ${certificate}`);
    });

    it('upgrades, then logs in and sends only over TLS', async (context) => {
      if (typeof certificate === 'string') return context.skip();
      const { peer, port } = await startPeer({ tls: certificate, auth: true });
      await new SmtpTransport(`smtp://user:secret@127.0.0.1:${port}?tls.rejectUnauthorized=false`).send(mail);
      expect(commandsOf(peer)).toEqual(['EHLO', 'STARTTLS', 'EHLO+tls', 'AUTH+tls', 'MAIL+tls', 'RCPT+tls', 'DATA+tls']);
      expect(peer.messages).toHaveLength(1);
    });

    it('refuses a certificate no CA vouches for unless the URL says otherwise', async (context) => {
      if (typeof certificate === 'string') return context.skip();
      const { peer, port } = await startPeer({ tls: certificate });
      await expect(new SmtpTransport(`smtp://127.0.0.1:${port}`).send(mail)).rejects.toThrow(/self[- ]signed/i);
      expect(peer.messages).toEqual([]);
    });

    it('stays in plain text with ignoreTLS', async (context) => {
      if (typeof certificate === 'string') return context.skip();
      const { peer, port } = await startPeer({ tls: certificate });
      await new SmtpTransport(`smtp://127.0.0.1:${port}?ignoreTLS=true`).send(mail);
      expect(commandsOf(peer)).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA']);
    });
  });
});
