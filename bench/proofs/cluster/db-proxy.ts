/**
 * A TCP proxy between one node and PostgreSQL (node:net), so the proof can cut that node off
 * from its database the way a network partition does: `blackhole()` stops moving bytes in both
 * directions without closing anything, so both peers simply wait; bytes either side sends
 * meanwhile are held, and so is a close (the server ending an idle transaction's session, say).
 * Connections opened meanwhile are accepted and held too. `restore()` delivers what was held, in
 * order, as TCP retransmission would after a partition heals, then forwards as before.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface DbProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

/** One direction of one connection: bytes and a close held while blackholed. */
class Direction {
  private readonly held: Buffer[] = [];
  private ended = false;

  constructor(
    private readonly to: () => Socket | null,
    private readonly isBlackholed: () => boolean,
  ) {}

  data(chunk: Buffer): void {
    const target = this.to();
    if (this.isBlackholed() || target === null) this.held.push(chunk);
    else target.write(chunk);
  }

  end(): void {
    this.ended = true;
    this.flush();
  }

  flush(): void {
    const target = this.to();
    if (this.isBlackholed() || target === null) return;
    for (const chunk of this.held.splice(0)) target.write(chunk);
    if (this.ended) target.destroySoon();
  }
}

interface Connection {
  readonly client: Socket;
  upstream: Socket | null;
  /** Node to server, and server to node. */
  readonly up: Direction;
  readonly down: Direction;
}

export async function startDbProxy(targetPort: number): Promise<DbProxy> {
  const connections = new Set<Connection>();
  let blackholed = false;
  const isBlackholed = () => blackholed;

  const connectUpstream = (connection: Connection) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    upstream.setNoDelay(true);
    connection.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => connection.down.data(chunk));
    upstream.on('end', () => connection.down.end());
    upstream.on('error', () => connection.down.end());
    upstream.on('close', () => connection.down.end());
    connection.up.flush();
  };

  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const connection: Connection = {
      client,
      upstream: null,
      up: new Direction(() => connection.upstream, isBlackholed),
      down: new Direction(() => client, isBlackholed),
    };
    connections.add(connection);
    client.on('data', (chunk: Buffer) => connection.up.data(chunk));
    client.on('end', () => connection.up.end());
    client.on('error', () => connection.up.end());
    // Kept in the set after a close: a close held by a blackhole is delivered at restore.
    client.on('close', () => connection.up.end());
    if (!blackholed) connectUpstream(connection);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the proxy got no port');

  return {
    port: address.port,
    blackhole() {
      blackholed = true;
    },
    restore() {
      blackholed = false;
      for (const connection of connections) {
        if (connection.upstream === null) connectUpstream(connection);
        connection.up.flush();
        connection.down.flush();
      }
    },
    async close() {
      for (const connection of connections) {
        connection.client.destroy();
        connection.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
