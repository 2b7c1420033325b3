/** The most distinct `@username` mentions one message may notify; further names are ignored. */
export const MENTIONS_PER_MESSAGE_MAX = 10;

// A mention is `@` + a valid username, not preceded by a name character (so `a@b.c` is no mention).
const MENTION = /(?<![A-Za-z0-9_])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])/g;

/** The usernames mentioned in a body, lower-cased, deduplicated, in order, at most MENTIONS_PER_MESSAGE_MAX. */
export function mentionedUsernames(body: string): string[] {
  if (!body.includes('@')) return [];
  const names = new Set<string>();
  for (const m of body.matchAll(MENTION)) {
    names.add(m[1]!.toLowerCase());
    if (names.size >= MENTIONS_PER_MESSAGE_MAX) break;
  }
  return [...names];
}
