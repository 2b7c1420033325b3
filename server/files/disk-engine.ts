import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';

/**
 * A multer storage engine that streams each file to `${dir}/<key>`. Unlike multer's disk storage
 * it notices a client that hangs up mid-upload: the part stream is destroyed, the write stream
 * closed and the error reported, so the request settles and the caller removes the partial file
 * (multer's own engine would wait forever on a stream that never ends, keeping the file open).
 */
export function diskEngine(dir: string, newKey: () => string): StorageEngine {
  return {
    _handleFile(req: Request, file, cb) {
      const key = newKey();
      const path = join(dir, key);
      const out = createWriteStream(path);
      const onClose = (): void => {
        if (!req.complete) file.stream.destroy(new Error('The client closed the connection during the upload'));
      };
      req.once('close', onClose);
      pipeline(file.stream, out).then(
        () => {
          req.off('close', onClose);
          cb(null, { destination: dir, filename: key, path, size: out.bytesWritten });
        },
        (err: unknown) => {
          req.off('close', onClose);
          // Report the key too, so the caller can remove what was written.
          cb(err, { destination: dir, filename: key, path });
        },
      );
    },
    _removeFile(_req, file, cb) {
      rm(file.path, { force: true }).then(
        () => cb(null),
        (err: unknown) => cb(err as Error),
      );
    },
  };
}
