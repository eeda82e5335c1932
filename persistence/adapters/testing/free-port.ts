/**
 * A TCP port on 127.0.0.1 that nothing listens on right now: the OS picks it, and it is released
 * at once. For tests that start a server of their own (PostgreSQL, Redis, SMTP, the gateway) or
 * need a port where nothing answers.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('the OS gave no port'))));
    });
  });
}
