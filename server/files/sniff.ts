import { createReadStream } from 'node:fs';
import { fileTypeFromFile } from 'file-type';

/**
 * The MIME type of a stored file, from its bytes only (the client's claimed type is ignored).
 * Known binary signatures win; otherwise the file is `text/plain` when every byte is valid UTF-8
 * without NUL bytes, and `application/octet-stream` when not.
 */
export async function sniffMime(path: string): Promise<string> {
  const detected = await fileTypeFromFile(path);
  if (detected) return detected.mime;
  return (await isUtf8Text(path)) ? 'text/plain' : 'application/octet-stream';
}

/** Streams the file through a fatal UTF-8 decoder, so large files are never held in memory. */
async function isUtf8Text(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) {
      const bytes = chunk as Buffer;
      if (bytes.includes(0)) return false;
      decoder.decode(bytes, { stream: true });
    }
    decoder.decode();
    return true;
  } catch (err) {
    if (err instanceof TypeError) return false;
    throw err;
  }
}
