/**
 * Who is typing in the open room, as the client holds it, and when to tell the server that the
 * caller is typing. Pure functions (time passed in): `use-typing.ts` owns the socket and timers.
 */

/** A member shown as typing until `until` (this client's clock). */
export interface Typist {
  userId: string;
  name: string;
  until: number;
}

/** Resend `typing` this long after the last one while the user keeps typing: before the server's
 * TYPING_TTL_MS (default 5 s) runs out, and well past its per-user throttle (default 1 s). */
export const TYPING_RENEW_MS = 3000;
/** However far a notice's `expiresAt` lies (a skewed clock), nobody is shown typing longer than this. */
export const TYPING_SHOW_MAX_MS = 10_000;
/** ...nor shorter (a clock behind the server's would otherwise hide every notice at once). */
export const TYPING_SHOW_MIN_MS = 1000;

/** Adds or renews a typist from a `typing` notice. */
export function addTypist(list: readonly Typist[], userId: string, name: string, expiresAt: string, now: number): Typist[] {
  const left = Date.parse(expiresAt) - now;
  const span = Number.isFinite(left) ? Math.min(Math.max(left, TYPING_SHOW_MIN_MS), TYPING_SHOW_MAX_MS) : TYPING_SHOW_MIN_MS;
  return [...list.filter((t) => t.userId !== userId), { userId, name, until: now + span }];
}

/** Forgets a typist (their message arrived, or their notice ran out). */
export function removeTypist(list: readonly Typist[], userId: string): Typist[] {
  return list.some((t) => t.userId === userId) ? list.filter((t) => t.userId !== userId) : (list as Typist[]);
}

export function pruneTypists(list: readonly Typist[], now: number): Typist[] {
  return list.filter((t) => t.until > now);
}

/** "Ann is typing…", "Ann and Bo are typing…", "Ann, Bo and Cy are typing…", "Several people are typing…". */
export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
  return 'Several people are typing…';
}

/** Whether a keystroke should send `typing` now (the first one, then one per TYPING_RENEW_MS). */
export function shouldSendTyping(lastSentAt: number | null, now: number): boolean {
  return lastSentAt === null || now - lastSentAt >= TYPING_RENEW_MS;
}
