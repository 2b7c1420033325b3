import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/env.js';
import { createLogger } from '../lib/logger.js';
import { cliFailure, openExistingBackend } from './existing-backend.js';
import { createRecordStores } from '../stores/records.js';
import type { UserStore } from '../stores/ports.js';

/**
 * `npm run make-admin -- <username>`: gives an existing account the admin role, on the backend
 * the environment selects (MONGO_URL, else the SQLite file under DATA_DIR). The other way to get
 * the first admin is ADMIN_USERNAMES, applied when those usernames register.
 */
export async function makeAdmin(users: UserStore, username: string): Promise<'promoted' | 'already-admin' | 'not-found'> {
  const user = await users.findByUsername(username);
  if (!user) return 'not-found';
  if (user.role === 'admin') return 'already-admin';
  await users.setRole(user.id, 'admin');
  return 'promoted';
}

async function main(argv: string[]): Promise<number> {
  const username = argv[0];
  if (!username || argv.length !== 1) {
    console.error('Usage: npm run make-admin -- <username>');
    return 64; // EX_USAGE
  }
  const config = loadConfig();
  const backend = await openExistingBackend(config, createLogger('warn'));
  try {
    const outcome = await makeAdmin((await createRecordStores(backend)).users, username);
    if (outcome === 'not-found') {
      console.error(`No user named "${username}" (register first, then run this again).`);
      return 1;
    }
    console.log(outcome === 'promoted' ? `"${username}" is now an admin.` : `"${username}" was already an admin.`);
    return 0;
  } finally {
    await backend.close();
  }
}

// Run only when executed as a script, so tests can import `makeAdmin`.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const failure = cliFailure('make-admin', err, 1);
      console.error(failure.message);
      process.exit(failure.code);
    },
  );
}
