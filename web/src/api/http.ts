import { ERROR_CATALOGUE, isErrorCode, type ErrorBody } from '../../../shared/errors.js';

/**
 * A refusal or failure the server answered with `{ error: { code, message } }`, or a network
 * failure (code SERVICE_UNAVAILABLE: the server could not be reached).
 */
export class ApiError extends Error {
  constructor(
    readonly body: ErrorBody,
    readonly status: number,
  ) {
    super(body.message);
  }
  get code(): ErrorBody['code'] {
    return this.body.code;
  }
}

/** Turns anything thrown into the error body the UI shows (catalogue message when unknown). */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof ApiError) return err.body;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' && isErrorCode(err.code)) {
    const message = 'message' in err && typeof err.message === 'string' ? err.message : ERROR_CATALOGUE[err.code].message;
    return { code: err.code, message };
  }
  return { code: 'SERVICE_UNAVAILABLE', message: 'The server cannot be reached. Check your connection and try again.' };
}

type TokenSource = () => string | null;
type OnUnauthorized = (body: ErrorBody) => void;

/**
 * The one HTTP client of the app: JSON in and out, bearer token from the session, every non-2xx
 * turned into an ApiError carrying the server's catalogued code. A 401 also tells the session
 * (expired or revoked token: back to the login screen, with the reason shown).
 */
export function createHttp(token: TokenSource, onUnauthorized: OnUnauthorized) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const t = token();
    if (t) headers['authorization'] = `Bearer ${t}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: payload });
    } catch {
      throw new ApiError(toErrorBody(null), 0);
    }
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : null;
    if (!res.ok) {
      const err = errorFrom(parsed, res.status);
      if (res.status === 401 && t) onUnauthorized(err.body);
      throw err;
    }
    return parsed as T;
  }
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
    patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
    del: <T>(path: string) => call<T>('DELETE', path),
    /** A download (file previews): the bytes, or an ApiError. */
    async blob(path: string): Promise<Blob> {
      const t = token();
      const res = await fetch(path, { headers: t ? { authorization: `Bearer ${t}` } : {} }).catch(() => null);
      if (!res) throw new ApiError(toErrorBody(null), 0);
      if (!res.ok) throw errorFrom(safeJson(await res.text()), res.status);
      return res.blob();
    },
    /** Multipart upload with progress (fetch has no upload progress, XMLHttpRequest does). */
    upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', path);
        const t = token();
        if (t) xhr.setRequestHeader('authorization', `Bearer ${t}`);
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) onProgress(e.loaded / e.total);
        };
        xhr.onload = () => {
          const parsed = safeJson(xhr.responseText);
          if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T);
          else reject(errorFrom(parsed, xhr.status));
        };
        xhr.onerror = () => reject(new ApiError(toErrorBody(null), 0));
        xhr.send(form);
      });
    },
  };
}

export type Http = ReturnType<typeof createHttp>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorFrom(parsed: unknown, status: number): ApiError {
  const e = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (e && typeof e.code === 'string' && isErrorCode(e.code)) {
    const body: ErrorBody = { code: e.code, message: typeof e.message === 'string' ? e.message : ERROR_CATALOGUE[e.code].message };
    if (e.details && typeof e.details === 'object') body.details = e.details as Record<string, unknown>;
    return new ApiError(body, status);
  }
  return new ApiError({ code: status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED', message: `Unexpected answer from the server (HTTP ${status})` }, status);
}
