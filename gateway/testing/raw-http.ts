/**
 * HTTP by hand for the edge tests: requests whose every header the test chooses (Origin, Host,
 * Sec-Fetch-Site, a form's Content-Type, as a browser would send them), and raw pipelined
 * exchanges on one kept-alive `net` socket, read back response by response.
 */
import http from 'node:http';
import net from 'node:net';

export interface RawReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body as JSON, or null when it is not JSON. */
  readonly json: any;
}

export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${path}`, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // Not JSON.
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

export interface RawResponse {
  readonly statusLine: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Reads back-to-back HTTP/1.1 responses, honouring Content-Length (a HEAD's has no body). */
export function splitResponses(text: string, methods: readonly string[]): RawResponse[] {
  const parsed: RawResponse[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = methods[parsed.length] === 'HEAD' ? 0 : Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) break;
    parsed.push({ statusLine, headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return parsed;
}

/**
 * Sends the requests on a single kept-alive connection and resolves with everything read once a
 * complete response per request has arrived (or after 5 s, or at close, with what came).
 * Pipelined: all written at once; otherwise each is written once the one before it is answered.
 */
export function exchange(
  port: number,
  requests: readonly { readonly method: string; readonly path: string }[],
  mode: 'pipelined' | 'in-turn',
): Promise<{ raw: string; responses: RawResponse[] }> {
  const methods = requests.map((request) => request.method);
  const text = (request: { readonly method: string; readonly path: string }) => `${request.method} ${request.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let raw = '';
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw, responses: splitResponses(raw, methods) });
    };
    const timer = setTimeout(finish, 5_000);
    let written = mode === 'pipelined' ? requests.length : 1;
    socket.on('data', (chunk) => {
      raw += chunk.toString('latin1');
      const answered = splitResponses(raw, methods).length;
      if (answered >= methods.length) setTimeout(finish, 50);
      else if (answered === written) socket.write(text(requests[written++] ?? requests[0]!));
    });
    socket.on('close', finish);
    socket.on('error', reject);
    socket.write(requests.slice(0, written).map(text).join(''));
  });
}
