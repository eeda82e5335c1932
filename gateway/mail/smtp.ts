/**
 * The SMTP transport: nodemailer behind our SMTP_URL rules (issue #6, #12). Nodemailer speaks the
 * protocol (EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO, dot-stuffed DATA, QUIT) and builds the MIME
 * message (encoded headers, one line each, so a subject cannot inject a header). This file decides
 * what an SMTP_URL means:
 * - `smtp://host[:port]` (port 25): plain at first, upgraded with STARTTLS whenever the server
 *   offers it. `?requireTLS=true` fails the mail when the server does not offer it;
 *   `?ignoreTLS=true` never upgrades (a relay whose STARTTLS is broken).
 * - `smtps://host[:port]` (port 465): TLS from the first byte.
 * - `?tls.rejectUnauthorized=false` accepts a certificate no CA vouches for (a test relay).
 * - `user:password@`, percent-encoded: AUTH with the method the server offers. A password never
 *   crosses a network in the clear: to anything but loopback, credentials over `smtp://` make
 *   STARTTLS required, and `ignoreTLS` with them is refused.
 * Other query parameters are refused, so a typo does not silently weaken the connection.
 *
 * One connection per mail (no pool): the sender bounds how many run at once. Every wait is bounded:
 * the connection (TLS included), the greeting and each later reply.
 */
import { hostname } from 'node:os';
import { createTransport as nodemailerTransport, type Transporter } from 'nodemailer';
import type { OutgoingMail } from './outgoing.ts';

/** Time to open the connection (and finish TLS). A relay slower than this counts as down. */
export const smtpConnectTimeoutMs = 10_000;
/** Time for any one reply, DATA's final 250 included; big relays can take seconds to queue. */
export const smtpReplyTimeoutMs = 30_000;

export type StartTls = 'when-offered' | 'required' | 'never';

export interface SmtpTarget {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly user: string | null;
  readonly password: string | null;
  /** Only for `smtp://`; `smtps://` is TLS throughout. */
  readonly startTls: StartTls;
  readonly rejectUnauthorized: boolean;
}

const queryParameters = new Set(['requireTLS', 'ignoreTLS', 'tls.rejectUnauthorized']);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function flag(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') throw new Error(`SMTP_URL: ${name} must be true or false, not "${value}"`);
  return value === 'true';
}

function startTlsOf(url: URL, secure: boolean, credentialsExposed: boolean): StartTls {
  const requireTls = flag(url, 'requireTLS') === true;
  const ignoreTls = flag(url, 'ignoreTLS') === true;
  if (secure && (requireTls || ignoreTls)) throw new Error('SMTP_URL: requireTLS and ignoreTLS are for smtp://; smtps:// is TLS from the start');
  if (requireTls && ignoreTls) throw new Error('SMTP_URL: requireTLS and ignoreTLS contradict each other');
  if (ignoreTls && credentialsExposed) throw new Error('SMTP_URL: ignoreTLS would send the credentials in the clear to a remote host; use STARTTLS or smtps://');
  if (secure) return 'never';
  return requireTls || credentialsExposed ? 'required' : ignoreTls ? 'never' : 'when-offered';
}

export function parseSmtpUrl(text: string): SmtpTarget {
  const url = new URL(text);
  const secure = url.protocol === 'smtps:';
  if (!secure && url.protocol !== 'smtp:') throw new Error(`SMTP_URL must start with smtp: or smtps:, not ${url.protocol}`);
  for (const name of url.searchParams.keys()) {
    if (!queryParameters.has(name)) throw new Error(`SMTP_URL: unknown parameter ${name} (known: ${[...queryParameters].join(', ')})`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const user = url.username === '' ? null : decodeURIComponent(url.username);
  const password = url.password === '' ? null : decodeURIComponent(url.password);
  const credentialsExposed = user !== null && !secure && !isLoopback(host);
  return {
    secure,
    host,
    port: url.port === '' ? (secure ? 465 : 25) : Number(url.port),
    user,
    password,
    startTls: startTlsOf(url, secure, credentialsExposed),
    rejectUnauthorized: flag(url, 'tls.rejectUnauthorized') ?? true,
  };
}

export class SmtpTransport {
  readonly name = 'smtp';
  readonly target: SmtpTarget;
  private readonly transporter: Transporter;

  constructor(url: string, heloName: string = hostname() || 'localhost') {
    const target = parseSmtpUrl(url);
    this.target = target;
    this.transporter = nodemailerTransport({
      host: target.host,
      port: target.port,
      secure: target.secure,
      requireTLS: target.startTls === 'required',
      ignoreTLS: target.startTls === 'never',
      tls: { rejectUnauthorized: target.rejectUnauthorized },
      ...(target.user === null ? {} : { auth: { user: target.user, pass: target.password ?? '' } }),
      name: heloName,
      connectionTimeout: smtpConnectTimeoutMs,
      dnsTimeout: smtpConnectTimeoutMs,
      greetingTimeout: smtpReplyTimeoutMs,
      socketTimeout: smtpReplyTimeoutMs,
      // Our mails are plain text we wrote; nothing in them may make nodemailer read files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  describe(): string {
    const { secure, host, port, user, startTls } = this.target;
    const tls = secure ? '' : startTls === 'required' ? ' (STARTTLS required)' : startTls === 'never' ? ' (no STARTTLS)' : ' (STARTTLS when offered)';
    return `${secure ? 'smtps' : 'smtp'}://${host}:${port}${tls}${user === null ? '' : ' (AUTH)'}`;
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      date: new Date(mail.date),
    });
  }
}
