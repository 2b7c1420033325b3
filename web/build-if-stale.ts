/**
 * `npm start` runs this first: it builds the web client into web/dist when the build is missing
 * or older than any of its sources (web/src, web/index.html, the Vite config, and shared/, which
 * the client imports), so a fresh clone needs no extra step. A current build is left alone
 * (about 10 ms of stat calls). Building takes a few seconds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = join(webDir, '..');
const builtIndex = join(webDir, 'dist', 'index.html');
/** What the bundle is made from; server/ files the client imports types or pure rules from are listed too. */
const SOURCES = [join(webDir, 'src'), join(webDir, 'index.html'), join(webDir, 'vite.config.ts'), join(repoDir, 'shared'), join(repoDir, 'server/economy/rules/refunds.ts'), join(repoDir, 'server/messages/mentions.ts')];

/** Newest modification time under `path` (a file or a directory tree), in ms. */
export function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/** True when web/dist is missing or older than a source. */
export function webBuildIsStale(): boolean {
  if (!existsSync(builtIndex)) return true;
  const builtAt = statSync(builtIndex).mtimeMs;
  return SOURCES.some((s) => newestMtimeMs(s) > builtAt);
}

/** Builds web/dist with Vite (a dev dependency: absent in a production-only install). */
export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  // Vite follows NODE_ENV when it is set: under vitest it is 'test', which would ship React's
  // development build (larger and several times slower). The client is always built for production.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: join(webDir, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}

async function main(): Promise<void> {
  if (!webBuildIsStale()) return;
  const started = Date.now();
  console.log(existsSync(builtIndex) ? 'web client: sources changed, rebuilding web/dist…' : 'web client: building web/dist (first start)…');
  try {
    await buildWeb();
    console.log(`web client: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    // The chat server is still useful without its web client (API and sockets): say so and go on.
    console.error(`web client: build failed, the server starts without it: ${err instanceof Error ? err.message : String(err)}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
