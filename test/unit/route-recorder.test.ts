import { describe, expect, it } from 'vitest';
import express from 'express';
import { recordRoutes, routeKey, type RecordedRoute } from '../../server/http/route-recorder.js';

describe('recordRoutes', () => {
  it('records get/post/put/patch/delete and route(path) chains with the mount prefix, and still registers them', () => {
    const routes: RecordedRoute[] = [];
    const raw = express.Router();
    const api = recordRoutes(raw, '/api', routes);
    const ok = (_req: unknown, _res: unknown) => undefined;
    api.get('/a', ok);
    api.post('/a/:id', ok, ok);
    api.put('/b', ok);
    api.patch('/c', ok);
    api.delete('/d/:x', ok);
    api.route('/e').get(ok).post(ok);
    api.use(ok);
    expect(routes.map(routeKey)).toEqual(['GET /api/a', 'POST /api/a/:id', 'PUT /api/b', 'PATCH /api/c', 'DELETE /api/d/:x', 'GET /api/e', 'POST /api/e']);
    // Registered for real: one layer per route (and the middleware).
    expect((raw as unknown as { stack: Array<{ route?: { path: string } }> }).stack.filter((l) => l.route).map((l) => l.route!.path)).toEqual(['/a', '/a/:id', '/b', '/c', '/d/:x', '/e']);
  });

  it("an app's one-argument get (a setting read) is not a route", () => {
    const routes: RecordedRoute[] = [];
    const app = recordRoutes(express(), '', routes);
    app.set('trust proxy', false);
    expect(app.get('trust proxy')).toBe(false);
    app.get('/healthz', (_req, res) => res.json({ ok: true }));
    expect(routes).toEqual([{ method: 'GET', path: '/healthz' }]);
  });
});
