/**
 * The key a username is unique under. Both adapters store it next to the name as typed and look
 * users up by it, so they agree on what "taken" means (usernames are ASCII `[a-zA-Z0-9_]`).
 */
export const usernameKey = (username: string): string => username.toLowerCase();
