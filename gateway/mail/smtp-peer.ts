/**
 * A scripted SMTP server for the transport's unit test (smtp.test.ts): it speaks just enough of
 * RFC 5321 (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT) to accept a mail, and records the
 * commands it saw, each marked when it came over TLS, so a test can tell what crossed the wire in
 * the clear. The real-server test is smtp.int.test.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

export interface SmtpPeerOptions {
  /** Offer STARTTLS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Offer AUTH PLAIN and LOGIN, and accept any credentials. */
  readonly auth?: boolean;
}

export class SmtpPeer {
  /** Command verbs in order; `EHLO+tls` is an EHLO that came over TLS. */
  readonly commands: string[] = [];
  /** Each accepted message as the client meant it: dot-stuffing undone, CRLF as LF. */
  readonly messages: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: SmtpPeerOptions = {}) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.write('220 peer ESMTP\r\n');
      this.serve(socket, false);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('the SMTP peer has no port'));
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket, secured: boolean): void {
    let buffer = '';
    let data: string[] | null = null;
    const reply = (...lines: string[]) => socket.write(`${lines.join('\r\n')}\r\n`);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line !== '.') data.push(line.startsWith('.') ? line.slice(1) : line);
          else {
            this.messages.push(data.join('\n'));
            data = null;
            reply('250 queued');
          }
          continue;
        }
        const verb = (line.split(' ')[0] ?? '').toUpperCase();
        this.commands.push(secured ? `${verb}+tls` : verb);
        if (verb === 'STARTTLS' && this.options.tls !== undefined && !secured) {
          reply('220 go ahead');
          socket.off('data', onData);
          const upgraded = new TLSSocket(socket, { isServer: true, key: this.options.tls.key, cert: this.options.tls.cert });
          upgraded.on('error', () => socket.destroy());
          this.serve(upgraded, true);
          return;
        }
        if (verb === 'DATA') data = [];
        reply(...this.answer(verb, secured));
        if (verb === 'QUIT') socket.end();
      }
    };
    socket.on('data', onData);
  }

  private answer(verb: string, secured: boolean): string[] {
    switch (verb) {
      case 'EHLO': {
        const offers = [...(this.options.tls !== undefined && !secured ? ['STARTTLS'] : []), ...(this.options.auth === true ? ['AUTH PLAIN LOGIN'] : []), '8BITMIME'];
        return ['peer', ...offers].map((offer, index) => `250${index === offers.length ? ' ' : '-'}${offer}`);
      }
      case 'AUTH':
        return this.options.auth === true ? ['235 accepted'] : ['502 no AUTH here'];
      case 'MAIL':
      case 'RCPT':
      case 'RSET':
      case 'NOOP':
        return ['250 ok'];
      case 'DATA':
        return ['354 end with <CRLF>.<CRLF>'];
      case 'QUIT':
        return ['221 bye'];
      default:
        return ['502 not implemented'];
    }
  }
}
