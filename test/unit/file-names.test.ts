import { describe, expect, it } from 'vitest';
import { sanitizeFileName } from '../../server/files/names.js';

describe('sanitizeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\secret.txt', 'secret.txt'],
    ['a"b\u0001c\u007f.txt', 'abc.txt'],
    ['..', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    // busboy hands UTF-8 names over decoded as latin1
    [Buffer.from('naïve ☃.txt', 'utf8').toString('latin1'), 'naïve ☃.txt'],
    ['x'.repeat(300), 'x'.repeat(200)],
  ])('%j -> %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });
});
