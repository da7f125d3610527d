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
