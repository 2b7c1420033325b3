/** Longest stored file name, in characters. */
const NAME_LENGTH_MAX = 200;

/**
 * A display name from the client's file name: busboy hands it over decoded as latin1, so UTF-8
 * names are re-decoded; directory parts, control characters and quotes are dropped.
 */
export function sanitizeFileName(raw: string | undefined): string {
  let name = raw ?? '';
  const asUtf8 = Buffer.from(name, 'latin1').toString('utf8');
  if (!asUtf8.includes('\uFFFD') && Buffer.from(asUtf8, 'utf8').toString('latin1') === name) name = asUtf8;
  name = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  if (name === '.' || name === '..') name = '';
  return name.slice(0, NAME_LENGTH_MAX) || 'file';
}
