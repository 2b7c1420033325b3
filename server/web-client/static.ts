import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';

/**
 * Paths the web client never answers: the API, Socket.IO and the probes keep their own handlers
 * and their catalogued 404 JSON for anything unknown.
 */
const SERVER_PATHS = /^\/(api|socket\.io|healthz|readyz)(\/|$)/;

/**
 * Where the built client lives: `<repo>/web/dist` when running from sources, and
 * `<image>/dist/web/dist` in the compiled image (this file is then `dist/server/web-client/static.js`,
 * two levels under `dist/`). The first that exists wins; null when none was built.
 */
export function webClientDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../web/dist'), resolve(here, '../../../web/dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * Serves the built web client (web/dist) and, for browser navigations to any other path, its
 * index.html so client-side routes survive a reload. Only GET/HEAD navigations that ask for text/html
 * get the fallback: API clients asking for an unknown path still get the 404 JSON error.
 * Hashed assets are cached for a year; index.html is always revalidated so a new build shows up.
 */
export function serveWebClient(app: Express, dir: string | null = webClientDir()): void {
  if (!dir) return;
  const statics = express.static(dir, {
    index: false,
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const index = join(dir, 'index.html');
  const spaFallback: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path)) return next();
    // `/` is the app for everyone; deeper paths only for browser navigations (which ask for
    // text/html), so a script probing an unknown path, or a missing asset, still gets the 404 JSON.
    if (req.path !== '/' && !(req.headers.accept ?? '').includes('text/html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  app.use((req, res, next) => (SERVER_PATHS.test(req.path) ? next() : statics(req, res, next)));
  app.use(spaFallback);
}
