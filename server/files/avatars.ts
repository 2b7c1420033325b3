import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import multer from 'multer';
import sharp from 'sharp';
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../lib/app-error.js';
import type { IdGenerator } from '../lib/ids.js';

/**
 * Avatars (docs/chat.md "Profiles"): an upload is held in memory (it is bounded by
 * AVATAR_UPLOAD_MAX_BYTES), its type sniffed from the bytes, then decoded, auto-rotated, cropped
 * to a square of AVATAR_SIZE_PX and re-encoded as WebP by sharp, so what is stored and served is
 * always an image this server produced (no metadata, no polyglot payload, no animation).
 */

/** Width and height of every stored avatar. */
export const AVATAR_SIZE_PX = 256;
/** Decoding refuses images larger than this many pixels (a decompression bomb stops here). */
export const AVATAR_INPUT_PIXELS_MAX = 40_000_000;
/** The image types accepted as avatar sources (sniffed, never the declared type). */
export const AVATAR_SOURCE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
/** The name of a stored avatar: a ULID and the extension of what it is. */
const AVATAR_KEY = /^[0-9A-HJKMNP-TV-Z]{26}\.webp$/;

export const isAvatarKey = (key: string): boolean => AVATAR_KEY.test(key);

export class AvatarStore {
  readonly dir: string;

  constructor(dataDir: string, private readonly newId: IdGenerator) {
    this.dir = join(dataDir, 'avatars');
  }

  /** Reads the multipart field `file` of the request (at most `maxBytes`) into memory. */
  async receive(req: Request, res: Response, maxBytes: number): Promise<Buffer> {
    const middleware = multer({
      storage: multer.memoryStorage(),
      // busboy reports the limit when a file REACHES fileSize, so a file of exactly the cap needs cap + 1.
      limits: { fileSize: maxBytes + 1, files: 1, fields: 5, parts: 6, fieldNameSize: 100, headerPairs: 100 },
    }).single('file');
    try {
      await new Promise<void>((resolve, reject) => middleware(req, res, (err: unknown) => (err ? reject(err) : resolve())));
    } catch (err) {
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') throw new AppError('FILE_TOO_LARGE', undefined, { maxBytes });
      if (err instanceof multer.MulterError) throw new AppError('FILE_MISSING', 'Send exactly one image, in the multipart field "file"');
      if (!req.complete && req.socket.destroyed) throw new AppError('VALIDATION_FAILED', 'The upload was interrupted');
      throw new AppError('VALIDATION_FAILED', 'The multipart body is not valid');
    }
    if (!req.file) throw new AppError('FILE_MISSING');
    return req.file.buffer;
  }

  /** Checks the bytes are an accepted image and turns them into the stored avatar (WebP, square). */
  async normalize(bytes: Buffer): Promise<Buffer> {
    const type = await fileTypeFromBuffer(bytes);
    if (!type || !AVATAR_SOURCE_TYPES.includes(type.mime)) throw new AppError('NOT_AN_IMAGE');
    try {
      return await sharp(bytes, { limitInputPixels: AVATAR_INPUT_PIXELS_MAX, animated: false, failOn: 'error' })
        .rotate()
        .resize(AVATAR_SIZE_PX, AVATAR_SIZE_PX, { fit: 'cover' })
        .webp({ quality: 85 })
        .toBuffer();
    } catch {
      // A signature that lies about the rest (truncated, corrupt, too many pixels).
      throw new AppError('NOT_AN_IMAGE', 'The image cannot be decoded');
    }
  }

  /** Stores an encoded avatar under a new key (written whole, then renamed into place). */
  async save(encoded: Buffer): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const key = `${this.newId()}.webp`;
    const tmp = join(this.dir, `${key}.tmp`);
    await writeFile(tmp, encoded);
    await rename(tmp, join(this.dir, key));
    return key;
  }

  /** The stored bytes, or null for an unknown key. */
  async read(key: string): Promise<Buffer | null> {
    if (!isAvatarKey(key)) return null;
    try {
      return await readFile(join(this.dir, key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async remove(key: string | null): Promise<void> {
    if (key && isAvatarKey(key)) await rm(join(this.dir, key), { force: true });
  }
}
