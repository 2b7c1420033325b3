/**
 * Message search turns what a user typed into plain words and quotes each one for the backend, so
 * no query syntax of FTS5 (`OR`, `NEAR`, `*`, `col:`, `^`) or of MongoDB `$text` (`-word`,
 * `"phrase"`) reaches the engine: every word must appear, as typed, and that is all a query means.
 */

/** At most this many words are used; the rest of a long query is ignored. */
export const SEARCH_WORDS_MAX = 16;

/** The words of a query: split on whitespace, only those with a letter or digit, deduplicated. */
export function searchWords(query: string): string[] {
  const words = query
    .split(/\s+/u)
    .map((w) => w.slice(0, 64))
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  return [...new Set(words)].slice(0, SEARCH_WORDS_MAX);
}

/** An FTS5 string literal: double quotes, inner quotes doubled. */
const ftsQuote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * The FTS5 MATCH expression for "every word, in this room" over `messages_fts(body, room_id)`,
 * or null when the query has no searchable word.
 */
export function ftsMatchExpression(roomId: string, query: string): string | null {
  const words = searchWords(query);
  if (words.length === 0) return null;
  return [`room_id : ${ftsQuote(roomId)}`, ...words.map((w) => `body : ${ftsQuote(w)}`)].join(' AND ');
}

/**
 * A MongoDB `$text.$search` string where every word is its own quoted phrase (phrases are ANDed),
 * or null when the query has no searchable word. Quotes and backslashes inside words are dropped.
 */
export function mongoTextSearch(query: string): string | null {
  const words = searchWords(query)
    .map((w) => w.replace(/["\\]/g, ''))
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"`).join(' ');
}
