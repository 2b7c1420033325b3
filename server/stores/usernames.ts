/**
 * The key a username is unique under. Both adapters store it next to the name as typed and look
 * users up by it, so they agree on what "taken" means (usernames are ASCII `[a-zA-Z0-9_]`).
 */
export const usernameKey = (username: string): string => username.toLowerCase();

// Deleted accounts (issue 10, h10a; docs/chat.md "Delete account").
/**
 * The username a deleted account keeps: its id behind a prefix with characters no username may
 * have (and longer than any), so it frees the old name and can never be registered or typed in.
 */
export const deletedUsername = (userId: string): string => `~deleted~${userId}`;
export const isDeletedUsername = (username: string): boolean => username.startsWith('~deleted~');
/** What summaries show for a deleted account. */
export const DELETED_USER_NAME = 'deleted user';
