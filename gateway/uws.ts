/**
 * The only file that imports uWebSockets.js (STYLE.md "The gateway is thin"). It turns sockets
 * into ApiRequest values and ApiResponse values back into bytes. uWS rules followed here:
 * `onAborted` is registered before any await, the request is copied synchronously (uWS reuses
 * the HttpRequest after the handler returns), body chunks are copied (their ArrayBuffer is
 * neutered after the callback), and every late write happens inside `cork`.
 */
import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type * as Uws from 'uWebSockets.js';
import type { ApiRequest, ApiResponse, Principal } from './http.ts';
import type { SendStatus, WsConnection, WsSession, WsSessionFactory } from './ws/connection.ts';
import { isAllowedPreflight, preflightHeaders, responseHeaders } from './uws-headers.ts';
import { clientAddress, trustedProxies, type TrustedProxies } from './client-address.ts';
import type { Logger } from '../runtime/logger.ts';

const require = createRequire(import.meta.url);
const uws = require('uWebSockets.js') as typeof Uws;

/** The package silently falls back to a slow pure-Node server when its binary fails to load. */
function findNativeBinary(): string {
  const binary = Object.keys(require.cache).find((path) => path.includes('uWebSockets.js') && path.endsWith('.node'));
  if (binary === undefined) throw new Error('uWebSockets.js native binary not loaded; refusing to run on the fallback');
  return binary;
}
const loadedBinary = findNativeBinary();

/** The path of the loaded uWS binary, for the start log. */
export function nativeBinary(): string {
  return loadedBinary;
}

/** JSON smaller than this is sent as is: gzip costs more CPU than it saves on small answers. */
const gzipMinBytes = 1024;
/** uWS closes a socket silent for this long; automatic pings keep live ones open. */
const wsIdleTimeoutSeconds = 120;

export type DispatchRequest = Omit<ApiRequest, 'params' | 'principal'>;

/** What the gateway decided about an upgrade: a principal to open the socket for, or the refusal to answer. */
export type UpgradeAdmission =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

export interface UwsWsOptions {
  readonly path: '/ws';
  /** Checks the upgrade's origin and credentials (gateway/server.ts); answered before any upgrade. */
  admit(headers: Readonly<Record<string, string>>): Promise<UpgradeAdmission>;
  readonly factory: WsSessionFactory;
  readonly maxBackpressureBytes: number;
  readonly maxPayloadBytes: number;
}

export interface UwsServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly dispatch: (request: DispatchRequest) => Promise<ApiResponse>;
  readonly maxBodyBytes: number;
  /** A per-route body cap (image uploads); defaults to `maxBodyBytes`. */
  readonly bodyLimitFor?: (method: string, path: string) => number;
  readonly corsOrigins: readonly string[];
  readonly logger: Logger;
  /** Whose X-Forwarded-For names the client (TRUSTED_PROXIES); absent, nobody's. */
  readonly trustedProxies?: TrustedProxies;
  readonly onResponse?: (method: string, path: string, status: number, ms: number) => void;
  readonly ws?: UwsWsOptions;
}

export interface UwsServer {
  readonly port: number;
  close(): void;
}

interface EncodedBody {
  readonly bytes: Uint8Array | string;
  readonly headers: Array<[string, string]>;
  readonly vary: string[];
}

function encodeBody(response: ApiResponse, acceptEncoding: string): EncodedBody {
  const body = response.body;
  switch (body.kind) {
    case 'json': {
      const text = JSON.stringify(body.value);
      const headers: Array<[string, string]> = [['Content-Type', 'application/json; charset=utf-8']];
      if (Buffer.byteLength(text) >= gzipMinBytes && /\bgzip\b/.test(acceptEncoding)) {
        headers.push(['Content-Encoding', 'gzip']);
        return { bytes: gzipSync(text), headers, vary: ['Accept-Encoding'] };
      }
      return { bytes: text, headers, vary: [] };
    }
    case 'bytes': {
      if (body.gzipped === undefined) return { bytes: body.bytes, headers: [['Content-Type', body.contentType]], vary: [] };
      if (!/\bgzip\b/.test(acceptEncoding)) return { bytes: body.bytes, headers: [['Content-Type', body.contentType]], vary: ['Accept-Encoding'] };
      return { bytes: body.gzipped, headers: [['Content-Type', body.contentType], ['Content-Encoding', 'gzip']], vary: ['Accept-Encoding'] };
    }
    case 'text':
      return { bytes: body.text, headers: [['Content-Type', body.contentType]], vary: [] };
    case 'empty':
      return { bytes: '', headers: [], vary: [] };
    default: {
      const unhandled: never = body;
      throw new Error(`unknown body kind ${JSON.stringify(unhandled)}`);
    }
  }
}

function byteLength(bytes: Uint8Array | string): number {
  return typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
}

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

function errorBody(code: string, message: string): ApiResponse {
  return { status: 0, body: { kind: 'json', value: { error: { code, message } } } };
}

/** What the adapter copied from a request before any await. */
interface CopiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly ip: string;
}

const trustNobody = trustedProxies([]);

/**
 * The request's headers, names in lower case. A repeated header keeps its last line, except
 * X-Forwarded-For, whose lines are one list in order (RFC 9110 §5.3): HAProxy's `option
 * forwardfor` adds its own line after any the client sent, and the list is read from its end.
 */
function copyHeaders(req: Uws.HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  req.forEach((name, value) => {
    const lowerName = name.toLowerCase();
    const earlier = headers[lowerName];
    headers[lowerName] = lowerName === 'x-forwarded-for' && earlier !== undefined ? `${earlier}, ${value}` : value;
  });
  return headers;
}

/** Who sent the request (gateway/client-address.ts); read before any await, like the headers. */
function requestAddress(res: Uws.HttpResponse, headers: Readonly<Record<string, string>>, options: UwsServerOptions): string {
  const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
  return clientAddress(peer, headers['x-forwarded-for'], options.trustedProxies ?? trustNobody);
}

function copyRequest(res: Uws.HttpResponse, req: Uws.HttpRequest, options: UwsServerOptions): CopiedRequest {
  const headers = copyHeaders(req);
  return {
    method: req.getMethod().toUpperCase(),
    path: req.getUrl(),
    query: req.getQuery() ?? '',
    headers,
    ip: requestAddress(res, headers, options),
  };
}

/** Per-request state shared by the abort handler, the body reader and the writer. */
interface Exchange {
  readonly res: Uws.HttpResponse;
  readonly request: CopiedRequest;
  readonly startedMs: number;
  /** Set once the socket is gone or the answer is written; nothing may touch `res` after. */
  done: boolean;
}

function write(exchange: Exchange, options: UwsServerOptions, response: ApiResponse): void {
  if (exchange.done) return;
  exchange.done = true;
  const { res, request } = exchange;
  const encoded = encodeBody(response, request.headers['accept-encoding'] ?? '');
  const handlerHeaders = response.headers ?? {};
  const headers = responseHeaders(request.path, handlerHeaders, request.headers.origin, options.corsOrigins, encoded.vary);
  res.cork(() => {
    res.writeStatus(statusLine(response.status));
    for (const [name, value] of [...encoded.headers, ...headers]) res.writeHeader(name, value);
    // HEAD answers the GET's headers, its real Content-Length included, and no body bytes: a body
    // here would be read as the start of the next response on a kept-alive connection. The pinned
    // build's `endWithoutBody(length)` leaves a pipelined connection hanging (measured), so the
    // length is written as a header and the response ended without one.
    if (request.method === 'HEAD') res.writeHeader('Content-Length', String(byteLength(encoded.bytes))).endWithoutBody();
    else res.end(encoded.bytes);
  });
  options.onResponse?.(request.method, request.path, response.status, Date.now() - exchange.startedMs);
}

async function answer(exchange: Exchange, options: UwsServerOptions, body: Uint8Array): Promise<void> {
  const { request } = exchange;
  let response: ApiResponse;
  try {
    response = await options.dispatch({
      method: request.method,
      path: request.path,
      query: new URLSearchParams(request.query),
      headers: request.headers,
      body,
      ip: request.ip,
    });
  } catch (error) {
    options.logger.error({ err: error, method: request.method, path: request.path }, 'dispatch failed');
    response = { ...errorBody('internal', 'Internal server error.'), status: 500 };
  }
  if (exchange.done) return;
  try {
    write(exchange, options, response);
  } catch (error) {
    options.logger.error({ err: error, path: request.path }, 'writing the response failed');
  }
}

function tooLarge(exchange: Exchange, options: UwsServerOptions, limitBytes: number): void {
  write(exchange, options, { ...errorBody('payload_too_large', `The body exceeds ${limitBytes} bytes.`), status: 413 });
}

/** Reads the body with a cap, copying each chunk, then dispatches. */
function readBodyAndAnswer(exchange: Exchange, options: UwsServerOptions): void {
  const { res, request } = exchange;
  const limitBytes = options.bodyLimitFor?.(request.method, request.path) ?? options.maxBodyBytes;
  const declared = Number(request.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limitBytes) {
    tooLarge(exchange, options, limitBytes);
    return;
  }
  const chunks: Buffer[] = [];
  let receivedBytes = 0;
  res.onData((chunk, isLast) => {
    if (exchange.done) return;
    receivedBytes += chunk.byteLength;
    if (receivedBytes > limitBytes) {
      tooLarge(exchange, options, limitBytes);
      return;
    }
    chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) void answer(exchange, options, Buffer.concat(chunks));
  });
}

function handleHttp(res: Uws.HttpResponse, req: Uws.HttpRequest, options: UwsServerOptions): void {
  const exchange: Exchange = { res, request: copyRequest(res, req, options), startedMs: Date.now(), done: false };
  res.onAborted(() => {
    exchange.done = true;
  });
  const { request } = exchange;
  if (isAllowedPreflight(request.method, request.headers.origin, options.corsOrigins)) {
    write(exchange, options, { status: 204, headers: preflightHeaders(), body: { kind: 'empty' } });
    return;
  }
  readBodyAndAnswer(exchange, options);
}

interface SocketData {
  readonly principal: Principal;
  readonly clientAddress: string;
  session: WsSession | null;
  /** uWS frees the socket after `close`; any later call on it would crash the process. */
  closed: boolean;
}

function sendStatus(code: number): SendStatus {
  if (code === 1) return 'sent';
  if (code === 0) return 'queued';
  return 'dropped';
}

function connectionFor(ws: Uws.WebSocket<SocketData>, data: SocketData): WsConnection {
  return {
    principal: data.principal,
    clientAddress: data.clientAddress,
    send: (text) => (data.closed ? 'dropped' : sendStatus(ws.send(text, false, false))),
    bufferedBytes: () => (data.closed ? 0 : ws.getBufferedAmount()),
    close: (code, reason) => {
      if (!data.closed) ws.end(code, reason);
    },
  };
}

function refuseUpgrade(res: Uws.HttpResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.cork(() => {
    res.writeStatus(statusLine(status)).writeHeader('Content-Type', 'application/json; charset=utf-8').end(body);
  });
}

/** A throw inside a uWS callback would become an uncaught exception and end the process. */
function guarded(logger: Logger, event: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    logger.error({ err: error, event }, 'websocket session handler failed');
  }
}

function wsBehavior(options: UwsServerOptions, wsOptions: UwsWsOptions): Uws.WebSocketBehavior<SocketData> {
  const { logger } = options;
  return {
    maxPayloadLength: wsOptions.maxPayloadBytes,
    maxBackpressure: wsOptions.maxBackpressureBytes,
    // Typed as a number in this build; the native side reads it as a boolean.
    closeOnBackpressureLimit: 1,
    idleTimeout: wsIdleTimeoutSeconds,
    sendPingsAutomatically: true,
    upgrade: async (res, req, context) => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const headers = copyHeaders(req);
      const address = requestAddress(res, headers, options);
      let admission: UpgradeAdmission = { ok: false, status: 401, code: 'unauthenticated', message: 'Sign in to open a socket.' };
      try {
        admission = await wsOptions.admit(headers);
      } catch (error) {
        logger.warn({ err: error, clientAddress: address }, 'websocket authentication failed');
      }
      if (aborted) return;
      if (!admission.ok) {
        refuseUpgrade(res, admission.status, admission.code, admission.message);
        return;
      }
      const data: SocketData = { principal: admission.principal, clientAddress: address, session: null, closed: false };
      // Known upstream bug in this build: cork() can misread the upgraded socket as an HTTP one
      // and close it right after `open` (1006; uNetworking/uWebSockets#1929, fixed July 2026).
      // Rare; clients reconnect and resume. Upgrading uncorked avoids it but prints a warning on
      // every upgrade, so we keep the documented way.
      res.cork(() => res.upgrade(data, key, protocol, extensions, context));
    },
    open: (ws) => {
      const data = ws.getUserData();
      guarded(logger, 'open', () => {
        data.session = wsOptions.factory(connectionFor(ws, data));
      });
      if (data.session === null) ws.end(1011, 'session failed');
    },
    message: (ws, message) => {
      const data = ws.getUserData();
      const text = Buffer.from(message).toString('utf8');
      guarded(logger, 'message', () => data.session?.onMessage(text));
    },
    drain: (ws) => {
      const data = ws.getUserData();
      guarded(logger, 'drain', () => data.session?.onDrain());
    },
    close: (ws) => {
      const data = ws.getUserData();
      data.closed = true;
      guarded(logger, 'close', () => data.session?.onClose());
    },
  };
}

/** Starts the server; resolves once it listens (port 0 resolves with the port picked). */
export function startUwsServer(options: UwsServerOptions): Promise<UwsServer> {
  const app = uws.App();
  if (options.ws !== undefined) app.ws<SocketData>(options.ws.path, wsBehavior(options, options.ws));
  app.any('/*', (res, req) => handleHttp(res, req, options));
  return new Promise((resolve, reject) => {
    app.listen(options.host, options.port, (listenSocket) => {
      if (listenSocket === false) {
        reject(new Error(`cannot listen on ${options.host}:${options.port}`));
        return;
      }
      const port = uws.us_socket_local_port(listenSocket as unknown as Uws.us_socket);
      let closed = false;
      resolve({
        port,
        close: () => {
          if (closed) return;
          closed = true;
          // The native App.close (missing from the typings) closes the listen socket and every
          // open connection, so a stopped gateway holds no sockets.
          (app as Uws.TemplatedApp & { close(): void }).close();
        },
      });
    });
  });
}
