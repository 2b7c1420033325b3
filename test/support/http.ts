/** A tiny HTTP client for tests: real requests over loopback, JSON in and out. */
export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (for malformed JSON tests); overrides `body`. */
  rawBody?: string | Buffer | FormData;
  headers?: Record<string, string>;
}

export async function request<T = any>(baseUrl: string, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let body: string | Buffer | FormData | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    if (typeof opts.rawBody === 'string' && !headers['content-type']) headers['content-type'] = 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, body: body as RequestInit["body"] });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text.length ? JSON.parse(text) : null;
  } catch {
    // Non-JSON (file downloads): keep the text.
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A client bound to one server and, optionally, one user's token. */
export function client(baseUrl: string, token?: string) {
  const withToken = (o: RequestOptions = {}): RequestOptions => (token && !o.token ? { ...o, token } : o);
  return {
    get: <T = any>(path: string, o?: RequestOptions) => request<T>(baseUrl, 'GET', path, withToken(o)),
    post: <T = any>(path: string, body?: unknown, o?: RequestOptions) => request<T>(baseUrl, 'POST', path, withToken({ ...o, body })),
    del: <T = any>(path: string, body?: unknown, o?: RequestOptions) => request<T>(baseUrl, 'DELETE', path, withToken({ ...o, body })),
  };
}
