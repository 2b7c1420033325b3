import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../lib/app-error.js';
import type { Logger } from '../lib/logger.js';

/** Unknown routes get the catalogued 404 body, not express's HTML page. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('ROUTE_NOT_FOUND', `No route ${req.method} ${req.path}`));
};

/**
 * The last middleware: every error leaves as `status + { error: { code, message } }`.
 * body-parser's own errors (bad JSON, too large) are mapped to their catalogued codes.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appError = toAppError(err);
    if (appError.code === 'INTERNAL') (req.log ?? logger).error({ err }, 'request failed');
    if (res.headersSent) return;
    // RFC 9110 Retry-After, in whole seconds, for clients and proxies that do not read the body.
    const retryAfterMs = appError.code === 'RATE_LIMITED' ? appError.details?.['retryAfterMs'] : undefined;
    if (typeof retryAfterMs === 'number') res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    res.status(appError.status).json({ error: appError.toBody() });
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; code?: string } | null;
  if (e?.type === 'entity.parse.failed') return new AppError('MALFORMED_JSON');
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError('VALIDATION_FAILED', 'Unsupported body encoding');
  if (isDecompressionError(err)) return new AppError('BODY_ENCODING_INVALID');
  if (e?.code === 'LIMIT_FILE_SIZE') return new AppError('FILE_TOO_LARGE');
  // The router's decodeURIComponent of a path parameter (e.g. `%E0%A4%A`).
  if (err instanceof URIError) return new AppError('VALIDATION_FAILED', 'The request path is not valid URL encoding');
  return new AppError('INTERNAL');
}

/**
 * body-parser hands zlib's failure on a broken gzip/deflate/br body through as a 400 carrying
 * zlib's own code (`Z_DATA_ERROR`, `Z_BUF_ERROR`, `ERR__ERROR_FORMAT_PADDING_2`...) and no `type`.
 * It is the client's bytes that are wrong, so it is answered 400 and not logged as a failure.
 */
function isDecompressionError(err: unknown): boolean {
  const e = err as { status?: unknown; errno?: unknown; code?: unknown; type?: unknown } | null;
  if (e === null || typeof e !== 'object' || e.status !== 400 || e.type !== undefined) return false;
  return typeof e.errno === 'number' && typeof e.code === 'string' && /^(Z_|ERR_)/.test(e.code);
}
