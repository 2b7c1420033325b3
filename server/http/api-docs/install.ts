import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import type { EventRegistry } from '../../realtime/event-registry.js';
import type { RecordedRoute } from '../route-recorder.js';
import { buildAsyncApi } from './asyncapi.js';
import { CLIENT_EVENT_DOCS, ROUTE_DOCS, SERVER_EVENT_DOCS } from './catalogue.js';
import { buildOpenApi } from './openapi.js';

const require = createRequire(import.meta.url);
/** swagger-ui-dist's files, served from node_modules: the page works with no network beyond this server. */
const SWAGGER_DIR = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();
const VERSION = packageVersion(dirname(fileURLToPath(import.meta.url)));

/** The nearest package.json above `dir` (from server/ under tsx, from dist/server/ when compiled). */
function packageVersion(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  }
  return '0.0.0';
}

// No inline script, so a Content-Security-Policy of script-src 'self' keeps the page working.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>token-chat API reference</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui' });\n`;

/**
 * The API reference routes, registered last so every feature's routes and events are known:
 * `/api/openapi.json`, `/api/asyncapi.json`, `/api/docs` (+ its assets). The documents are built
 * on first request and kept: routes and events do not change while the process runs.
 */
export function installApiDocs(api: Router, deps: { routes: readonly RecordedRoute[]; registry: EventRegistry }): void {
  let openapi: unknown;
  let asyncapi: unknown;
  api.get('/openapi.json', (_req, res) => {
    res.json((openapi ??= buildOpenApi(deps.routes, ROUTE_DOCS, VERSION)));
  });
  api.get('/asyncapi.json', (_req, res) => {
    res.json((asyncapi ??= buildAsyncApi(deps.registry.list(), CLIENT_EVENT_DOCS, SERVER_EVENT_DOCS, VERSION)));
  });
  api.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  api.use('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  api.use('/docs/assets', express.static(SWAGGER_DIR, { index: false }));
}
