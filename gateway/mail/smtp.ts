/**
 * A small SMTP client over node:net / node:tls, one connection per mail (issue #6): greeting,
 * EHLO, AUTH PLAIN when the URL carries credentials, MAIL FROM, RCPT TO, DATA with dot-stuffing,
 * QUIT. `smtps://` is TLS from the first byte (port 465 by default); `smtp://` is plain text
 * (port 25 by default). STARTTLS is not implemented: use `smtps://` to a relay that needs TLS.
 * Credentials are refused over plain text to anything but loopback, so a password never crosses
 * a network in the clear.
 *
 * Every wait is bounded: the connection, each reply, and the whole exchange.
 */
import { connect as connectPlain, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls } from 'node:tls';
import type { MailTransport, OutgoingMail } from './transport.ts';
import { addressOf } from './transport.ts';

/** Time to open the connection (and finish TLS). A relay slower than this counts as down. */
export const smtpConnectTimeoutMs = 10_000;
/** Time for any one reply, DATA's final 250 included; big relays can take seconds to queue. */
export const smtpReplyTimeoutMs = 30_000;
/** Bytes of one reply we buffer; a server that sends more is misbehaving. */
const smtpReplyBytesMax = 64 * 1024;

interface SmtpTarget {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly user: string | null;
  readonly password: string | null;
}

export function parseSmtpUrl(text: string): SmtpTarget {
  const url = new URL(text);
  const secure = url.protocol === 'smtps:';
  if (!secure && url.protocol !== 'smtp:') throw new Error(`SMTP_URL must start with smtp: or smtps:, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const user = url.username === '' ? null : decodeURIComponent(url.username);
  const password = url.password === '' ? null : decodeURIComponent(url.password);
  return { secure, host, port: url.port === '' ? (secure ? 465 : 25) : Number(url.port), user, password };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Lines starting with '.' get another '.', line ends become CRLF (RFC 5321 §4.5.2). */
export function dotStuff(text: string): string {
  return text
    .replace(/\r?\n/g, '\r\n')
    .split('\r\n')
    .map((line) => (line.startsWith('.') ? `.${line}` : line))
    .join('\r\n');
}

/** RFC 2047 encoding for a header with non-ASCII text; ASCII stays as it is. */
function encodeHeader(text: string): string {
  // Header values are one line: a CR or LF here would let a subject inject headers.
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(oneLine) ? oneLine : `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

export function formatMessage(mail: OutgoingMail): string {
  const headers = [
    `From: ${encodeHeader(mail.from)}`,
    `To: ${addressOf(mail.to)}`,
    `Subject: ${encodeHeader(mail.subject)}`,
    `Message-ID: ${mail.messageId}`,
    `Date: ${new Date(mail.date).toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${dotStuff(mail.text)}`;
}

/** Reads multi-line SMTP replies (`250-…` lines up to `250 …`) from a socket. */
class ReplyReader {
  private buffer = '';
  private lines: string[] = [];
  private waiter: ((reply: { code: number; text: string } | Error) => void) | null = null;
  private failure: Error | null = null;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the SMTP server closed the connection')));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > smtpReplyBytesMax) return this.fail(new Error('the SMTP reply is too long'));
    for (let end = this.buffer.indexOf('\n'); end >= 0; end = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      this.lines.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) this.finishReply();
    }
  }

  private finishReply(): void {
    const lines = this.lines;
    this.lines = [];
    const code = Number(lines.at(-1)?.slice(0, 3));
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.({ code, text: lines.map((line) => line.slice(4)).join('\n') });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(error);
  }

  next(): Promise<{ code: number; text: string }> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no SMTP reply within ${smtpReplyTimeoutMs} ms`));
      }, smtpReplyTimeoutMs);
      this.waiter = (reply) => {
        clearTimeout(timer);
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      };
    });
  }
}

function open(target: SmtpTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = target.secure
      ? connectTls({ host: target.host, port: target.port, servername: target.host })
      : connectPlain({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`could not connect to ${target.host}:${target.port} within ${smtpConnectTimeoutMs} ms`));
    }, smtpConnectTimeoutMs);
    socket.once(target.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export class SmtpTransport implements MailTransport {
  readonly name = 'smtp';
  private readonly target: SmtpTarget;

  constructor(url: string, private readonly heloName: string = hostname() || 'localhost') {
    this.target = parseSmtpUrl(url);
    if (this.target.user !== null && !this.target.secure && !isLoopback(this.target.host)) {
      throw new Error('SMTP_URL carries credentials over plain smtp:// to a remote host; use smtps://');
    }
  }

  describe(): string {
    return `${this.target.secure ? 'smtps' : 'smtp'}://${this.target.host}:${this.target.port}${this.target.user === null ? '' : ' (AUTH PLAIN)'}`;
  }

  async send(mail: OutgoingMail): Promise<void> {
    const socket = await open(this.target);
    const replies = new ReplyReader(socket);
    const command = async (line: string | null, expected: number): Promise<string> => {
      if (line !== null) socket.write(`${line}\r\n`);
      const reply = await replies.next();
      if (Math.floor(reply.code / 100) !== Math.floor(expected / 100)) {
        throw new Error(`SMTP ${line === null ? 'greeting' : (line.split(' ')[0] ?? line)} got ${reply.code} ${reply.text}`.slice(0, 500));
      }
      return reply.text;
    };
    try {
      await command(null, 220);
      await command(`EHLO ${this.heloName}`, 250);
      const { user, password } = this.target;
      if (user !== null) {
        const token = Buffer.from(`\u0000${user}\u0000${password ?? ''}`, 'utf8').toString('base64');
        await command(`AUTH PLAIN ${token}`, 235);
      }
      await command(`MAIL FROM:<${addressOf(mail.from)}>`, 250);
      await command(`RCPT TO:<${addressOf(mail.to)}>`, 250);
      await command('DATA', 354);
      await command(`${formatMessage(mail)}\r\n.`, 250);
      // The mail is accepted; a failed QUIT changes nothing about that.
      await command('QUIT', 221).catch(() => undefined);
    } finally {
      socket.destroy();
    }
  }
}
