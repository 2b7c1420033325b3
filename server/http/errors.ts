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
    // The request metrics (server/metrics/http.ts) label the request with its code.
    res.locals['errorCode'] = appError.code;
    if (res.headersSent) return;
    res.status(appError.status).json({ error: appError.toBody() });
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; code?: string } | null;
  if (e?.type === 'entity.parse.failed') return new AppError('MALFORMED_JSON');
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError('VALIDATION_FAILED', 'Unsupported body encoding');
  if (e?.code === 'LIMIT_FILE_SIZE') return new AppError('FILE_TOO_LARGE');
  // The router's decodeURIComponent of a path parameter (e.g. `%E0%A4%A`).
  if (err instanceof URIError) return new AppError('VALIDATION_FAILED', 'The request path is not valid URL encoding');
  return new AppError('INTERNAL');
}
