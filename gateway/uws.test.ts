import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../runtime/logger.ts';
import type { ApiResponse, Principal } from './http.ts';
import { nativeBinary, startUwsServer, type DispatchRequest, type UwsServer, type UwsServerOptions } from './uws.ts';
import type { WsConnection } from './ws/connection.ts';
import { exchange } from './testing/raw-http.ts';
import { trustedProxies } from './client-address.ts';

const allowedOrigin = 'https://shop.example';
const testPrincipal: Principal = { userId: 'u1', role: 'BUYER', email: 'u1@example.com', sessionId: 'session_1' };

/** A tiny dispatch standing in for the router: each path exercises one adapter behaviour. */
async function dispatch(request: DispatchRequest): Promise<ApiResponse> {
  if (request.path === '/api/echo') {
    return {
      status: 200,
      body: {
        kind: 'json',
        value: { method: request.method, query: request.query.get('q'), body: Buffer.from(request.body).toString('utf8'), ip: request.ip, header: request.headers['x-test'] ?? null },
      },
    };
  }
  if (request.path === '/api/large') return { status: 200, body: { kind: 'json', value: { items: Array.from({ length: 200 }, (_, index) => ({ index, name: `product ${index}` })) } } };
  if (request.path === '/assets/app.js') {
    const bytes = Buffer.from('console.log("bazaary");\n'.repeat(100));
    return { status: 200, body: { kind: 'bytes', bytes, contentType: 'text/javascript; charset=utf-8', gzipped: gzipSync(bytes) } };
  }
  if (request.path === '/api/throw') throw new Error('secret internals');
  if (request.path === '/api/slow') {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { status: 200, body: { kind: 'text', text: 'late', contentType: 'text/plain' } };
  }
  if (request.path === '/api/cached') return { status: 200, headers: { 'Cache-Control': 'max-age=60' }, body: { kind: 'empty' } };
  return { status: 404, body: { kind: 'json', value: { error: { code: 'not_found', message: 'No such route.' } } } };
}

function echoSessionFactory(connection: WsConnection) {
  return {
    onMessage: (text: string) => {
      connection.send(JSON.stringify({ echo: text, userId: connection.principal.userId, clientAddress: connection.clientAddress }));
    },
    onDrain: () => {},
    onClose: () => {},
  };
}

let server: UwsServer;
let base: string;

/** The adapter over the stand-in dispatch and the echo sessions. */
function startEchoServer(options: Partial<UwsServerOptions> = {}): Promise<UwsServer> {
  return startUwsServer({
    host: '127.0.0.1',
    port: 0,
    dispatch,
    maxBodyBytes: 1024,
    corsOrigins: [allowedOrigin],
    logger: silentLogger,
    ws: {
      path: '/ws',
      admit: async (headers) => {
        if (headers.origin === 'https://evil.example') return { ok: false, status: 403, code: 'cross_site_request', message: 'foreign origin' };
        return headers.authorization === 'Bearer good-token' ? { ok: true, principal: testPrincipal } : { ok: false, status: 401, code: 'unauthenticated', message: 'Sign in.' };
      },
      factory: echoSessionFactory,
      maxBackpressureBytes: 64 * 1024,
      maxPayloadBytes: 16 * 1024,
    },
    ...options,
  });
}

beforeAll(async () => {
  server = await startEchoServer();
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server.close());

function rawGet(path: string, headers: Record<string, string>): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${base}${path}`, { headers }, (response) => {
      response.resume();
      resolve(response);
    });
    request.on('error', reject);
  });
}

describe('uWS adapter: HTTP', () => {
  it('runs on the native binary', () => {
    expect(nativeBinary()).toMatch(/uws_.*\.node$/);
  });

  it('passes method, query, headers, body and peer address to dispatch', async () => {
    const response = await fetch(`${base}/api/echo?q=shoes`, { method: 'POST', body: 'hello', headers: { 'X-Test': 'yes' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ method: 'POST', query: 'shoes', body: 'hello', ip: '127.0.0.1', header: 'yes' });
  });

  it('answers 413 payload_too_large for a body over the limit', async () => {
    const response = await fetch(`${base}/api/echo`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('caps a chunked body with no Content-Length while it streams in', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${base}/api/echo`, { method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.write('x'.repeat(800));
      request.end('y'.repeat(800));
    });
    expect(status).toBe(413);
  });

  it('gzips large JSON for a client that accepts it, and only then', async () => {
    const gzipped = await rawGet('/api/large', { 'Accept-Encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toContain('Accept-Encoding');
    const plain = await rawGet('/api/large', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    const decoded = await fetch(`${base}/api/large`);
    expect(((await decoded.json()) as { items: unknown[] }).items).toHaveLength(200);
    const small = await rawGet('/api/echo', { 'Accept-Encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('sends the pre-gzipped bytes of a file to a client that accepts gzip, and the plain bytes otherwise', async () => {
    const gzipped = await rawGet('/assets/app.js', { 'Accept-Encoding': 'gzip, deflate' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toContain('Accept-Encoding');
    const plain = await rawGet('/assets/app.js', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toContain('Accept-Encoding');
    const decoded = await fetch(`${base}/assets/app.js`);
    expect(await decoded.text()).toBe('console.log("bazaary");\n'.repeat(100));
  });

  it('adds security headers and no-store on the API unless the handler chose a cache policy', async () => {
    const response = await fetch(`${base}/api/echo`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    const cached = await fetch(`${base}/api/cached`);
    expect(cached.headers.get('cache-control')).toBe('max-age=60');
    const page = await fetch(`${base}/index.html`);
    expect(page.headers.get('cache-control')).toBeNull();
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('sends CORS headers to an allowed origin only, and answers its preflight', async () => {
    const allowed = await fetch(`${base}/api/echo`, { headers: { Origin: allowedOrigin } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await fetch(`${base}/api/echo`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${base}/api/echo`, { method: 'OPTIONS', headers: { Origin: allowedOrigin, 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST,PATCH,DELETE');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    // A repeated header would be joined with a comma, which browsers reject for Allow-Origin.
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(preflight.headers.get('vary')).toBe('Origin');
    const badPreflight = await fetch(`${base}/api/echo`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    expect(badPreflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(badPreflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('turns a throwing dispatch into 500 internal without leaking, and keeps serving', async () => {
    const failed = await fetch(`${base}/api/throw`);
    expect(failed.status).toBe(500);
    const text = await failed.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'internal' } });
    expect(text).not.toContain('secret');
    expect((await fetch(`${base}/api/echo`)).status).toBe(200);
  });

  it('survives a client that aborts while the handler is still working', async () => {
    const controller = new AbortController();
    const pending = fetch(`${base}/api/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${base}/api/echo`)).status).toBe(200);
  });

  it('survives a client that disconnects mid-body', async () => {
    await new Promise<void>((resolve) => {
      const request = http.request(`${base}/api/echo`, { method: 'POST', headers: { 'Content-Length': '500' } });
      request.on('error', () => resolve());
      request.write('partial');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 50);
    });
    expect((await fetch(`${base}/api/echo`)).status).toBe(200);
  });
});

describe('uWS adapter: HEAD', () => {
  it('answers a pipelined HEAD with the GET headers and real Content-Length but no body, so the GET after it reads clean', async () => {
    for (const path of ['/api/large', '/assets/app.js']) {
      const { raw, responses } = await exchange(server.port, [{ method: 'HEAD', path }, { method: 'GET', path }], 'pipelined');
      const [head, get, extra] = responses;
      expect(head?.statusLine, path).toBe('HTTP/1.1 200 OK');
      expect(get?.statusLine, `${path}: ${JSON.stringify(raw.slice(0, 600))}`).toBe('HTTP/1.1 200 OK');
      expect(extra, path).toBeUndefined();
      expect(head?.body).toBe('');
      expect(head?.headers['content-length']).toBe(get?.headers['content-length']);
      expect(Number(get?.headers['content-length'])).toBe(Buffer.byteLength(get?.body ?? '', 'latin1'));
      expect(Number(get?.headers['content-length'])).toBeGreaterThan(0);
      expect(head?.headers['content-type']).toBe(get?.headers['content-type']);
    }
  });
});

function openSocket(headers: Record<string, string>, port = server.port): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
}

describe('uWS adapter: WebSocket', () => {
  it('refuses an unauthenticated upgrade with 401', async () => {
    const socket = openSocket({ Authorization: 'Bearer wrong' });
    const status = await new Promise<number>((resolve, reject) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('upgrade accepted')));
      socket.on('error', () => {});
    });
    expect(status).toBe(401);
    socket.terminate();
  });

  it('answers a refused upgrade with the status and code the gateway chose, before upgrading', async () => {
    const socket = openSocket({ Authorization: 'Bearer good-token', Origin: 'https://evil.example' });
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += String(chunk)));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      socket.on('open', () => reject(new Error('upgrade accepted')));
      socket.on('error', () => {});
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'cross_site_request', message: 'foreign origin' } });
    socket.terminate();
  });

  it('gives an authenticated socket a session that sees its principal', async () => {
    const socket = openSocket({ Authorization: 'Bearer good-token' });
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => resolve());
      socket.on('error', reject);
    });
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send('ping');
    expect(JSON.parse(await reply)).toEqual({ echo: 'ping', userId: 'u1', clientAddress: '127.0.0.1' });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.close();
    await closed;
  });
});

/** The echoed client address of one HTTP request with these X-Forwarded-For lines. */
function echoedAddress(port: number, forwardedFor: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(`http://127.0.0.1:${port}/api/echo`, { headers: forwardedFor.length === 0 ? {} : { 'X-Forwarded-For': [...forwardedFor] } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += String(chunk)));
      response.on('end', () => resolve((JSON.parse(body) as { ip: string }).ip));
    });
    request.on('error', reject);
  });
}

/** The client address an authenticated socket's session was given at upgrade. */
async function socketAddress(port: number, forwardedFor: string): Promise<string> {
  const socket = openSocket({ Authorization: 'Bearer good-token', 'X-Forwarded-For': forwardedFor }, port);
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', reject);
  });
  const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
  socket.send('ping');
  const { clientAddress } = JSON.parse(await reply) as { clientAddress: string };
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.close();
  await closed;
  return clientAddress;
}

describe('uWS adapter: the client address (TRUSTED_PROXIES)', () => {
  let behindProxy: UwsServer;
  beforeAll(async () => {
    behindProxy = await startEchoServer({ trustedProxies: trustedProxies(['127.0.0.1']) });
  });
  afterAll(() => behindProxy.close());

  it('ignores X-Forwarded-For from a peer it does not trust, on HTTP and at upgrade', async () => {
    expect(await echoedAddress(server.port, ['198.51.100.1'])).toBe('127.0.0.1');
    expect(await socketAddress(server.port, '198.51.100.1')).toBe('127.0.0.1');
  });

  it('takes the forwarded client from a trusted peer, on HTTP and at upgrade', async () => {
    expect(await echoedAddress(behindProxy.port, ['198.51.100.1'])).toBe('198.51.100.1');
    expect(await echoedAddress(behindProxy.port, [])).toBe('127.0.0.1');
    expect(await socketAddress(behindProxy.port, '198.51.100.2')).toBe('198.51.100.2');
  });

  it('reads repeated X-Forwarded-For lines as one list, so the proxy\'s line after the client\'s wins', async () => {
    // HAProxy's `option forwardfor` adds its own line below any the client sent.
    expect(await echoedAddress(behindProxy.port, ['6.6.6.6', '198.51.100.3'])).toBe('198.51.100.3');
    expect(await echoedAddress(behindProxy.port, ['198.51.100.4, 127.0.0.1', '127.0.0.1'])).toBe('198.51.100.4');
  });
});
