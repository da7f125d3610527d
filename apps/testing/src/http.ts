import { connect } from 'node:net';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  /** The body as received, byte for byte. */
  text: string;
  headers: Headers;
}

export interface ApiRequest {
  token?: string;
  orgid?: string;
  body?: unknown;
  /** Sent as is (for malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A small HTTP client for the gateway under test. */
export function apiClient(baseUrl: string) {
  return async function api<T = any>(method: string, path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...request.headers };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    if (request.orgid) headers.orgid = request.orgid;
    let body: string | undefined = request.rawBody;
    if (request.body !== undefined) body = JSON.stringify(request.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}/org-management${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text so the assertion shows it
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  };
}
export type Api = ReturnType<typeof apiClient>;

export interface RawAnswer {
  /** The status line, e.g. `HTTP/1.1 400 Bad Request`; empty when the server closed without answering. */
  statusLine: string;
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * Writes `request` as is to the server's socket and reads the answer until the server closes:
 * for requests fetch refuses to send (bad header bytes, oversize headers, broken request lines).
 * A request node accepts needs `Connection: close`. The socket is not half-closed: node drops a
 * request whose client has ended its side before the answer is ready.
 */
export function rawHttp(baseUrl: string, request: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname, () =>
      socket.write(request),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseRawAnswer(Buffer.concat(chunks).toString('utf8'))));
  });
}

function parseRawAnswer(text: string): RawAnswer {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  const bodyText = rest.join('\r\n\r\n');
  let body: unknown = bodyText;
  try {
    body = bodyText ? JSON.parse(bodyText) : null;
  } catch {
    // not JSON: keep the text so the assertion shows it
  }
  return { statusLine, status: Number(statusLine.split(' ')[1] ?? 0), headers, body };
}
