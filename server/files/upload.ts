import type { Request, Response } from 'express';
import multer from 'multer';
import { AppError } from '../lib/app-error.js';
import type { FileService, ReceivedUpload } from './service.js';
import type { UploadAllowance } from './limits.js';
import { sanitizeFileName } from './names.js';
import { diskEngine } from './disk-engine.js';

/**
 * Streams the multipart field `file` of one request to disk (multer disk storage: the bytes never
 * sit in memory whole), stopping at the caller's limit. Every refusal removes what was written.
 * The upload's room in the quota is held before the first byte is read; the caller releases it
 * (`release`) once the file record is written, and a refusal here releases it at once.
 */
export async function receiveUpload(req: Request, res: Response, files: FileService, userId: string): Promise<ReceivedUpload & { release(): Promise<void> }> {
  // The whole body bounds the file, so a declared length holds no more of the quota than it can use.
  const declared = Number(req.headers['content-length']);
  const allowance = await files.limits.allow(userId, Number.isSafeInteger(declared) && declared > 0 ? declared : null);
  try {
    return { ...(await streamToDisk(req, res, files, allowance)), release: allowance.release };
  } catch (err) {
    await allowance.release();
    throw err;
  }
}

async function streamToDisk(req: Request, res: Response, files: FileService, allowance: UploadAllowance): Promise<ReceivedUpload> {
  const keys: string[] = [];
  const newKey = (): string => {
    const key = files.newStorageKey();
    keys.push(key);
    return key;
  };
  const middleware = multer({
    storage: diskEngine(files.dir, newKey),
    // busboy reports the limit when a file REACHES fileSize, so a file of exactly the cap needs cap + 1.
    limits: { fileSize: allowance.bytesMax + 1, files: 1, fields: 10, parts: 12, fieldNameSize: 100, headerPairs: 100 },
  }).single('file');

  try {
    await new Promise<void>((resolve, reject) => middleware(req, res, (err: unknown) => (err ? reject(err) : resolve())));
  } catch (err) {
    await Promise.all(keys.map((k) => files.discard(k)));
    // A client that hung up is not a server failure (and will never read the answer).
    if (!req.complete && req.socket.destroyed) throw new AppError('VALIDATION_FAILED', 'The upload was interrupted');
    throw toUploadError(err, allowance.quotaBinds, allowance.fileBytesMax);
  }
  const file = req.file;
  if (!file) {
    await Promise.all(keys.map((k) => files.discard(k)));
    throw new AppError('FILE_MISSING');
  }
  return { storageKey: file.filename, originalName: sanitizeFileName(file.originalname), size: file.size };
}

/** Multer and busboy refusals as catalogued errors; anything else passes through (logged as INTERNAL). */
function toUploadError(err: unknown, quotaBinds: boolean, fileBytesMax: number): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return quotaBinds ? new AppError('STORAGE_QUOTA_EXCEEDED') : new AppError('FILE_TOO_LARGE', undefined, { maxBytes: fileBytesMax });
    if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT') return new AppError('FILE_MISSING', 'Send exactly one file, in the multipart field "file"');
    return new AppError('VALIDATION_FAILED', `Bad multipart body: ${err.message}`);
  }
  // busboy's own parse errors (truncated or malformed multipart) are the client's fault; disk errors are not.
  if (err instanceof Error && (err.stack?.includes('/busboy/') || /multipart|boundary|unexpected end of form/i.test(err.message))) {
    return new AppError('VALIDATION_FAILED', `Bad multipart body: ${err.message}`);
  }
  return err;
}
