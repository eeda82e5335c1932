/**
 * A TCP proxy in front of the server that the test can cut, to make a real network drop for
 * one browser context. Chromium's offline emulation (`context.setOffline`) does not close open
 * WebSockets (playwright issue #4910), so it cannot prove that a client resumes after a drop;
 * destroying the TCP connections here does: the browser sees the socket die (close code 1006),
 * its reconnects are refused while the proxy is down, and it reconnects once it is up again.
 */
import type { Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';

export interface CuttableProxy {
  readonly url: string;
  /** Destroys every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(listenPort: number, targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A cut resets sockets mid-stream; the errors that follow are the point, not a fault.
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${listenPort}`,
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
