import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { chromium } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { routeKey } from '../../server/http/route-recorder.js';
import { CLIENT_EVENT_DOCS, ROUTE_DOCS, SERVER_EVENT_DOCS } from '../../server/http/api-docs/catalogue.js';

/**
 * The API reference cannot drift from the code: the routes and events are those the running
 * server registered, and the catalogue must name each of them (and nothing else).
 */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

describe('the catalogue matches the registries', () => {
  it('every registered route has an entry, and every entry a registered route', () => {
    const registered = srv.routes.map(routeKey);
    const documented = Object.keys(ROUTE_DOCS);
    expect(registered.filter((k) => !documented.includes(k)), 'routes without an entry in server/http/api-docs/catalogue.ts').toEqual([]);
    expect(documented.filter((k) => !registered.includes(k)), 'catalogue entries naming no registered route').toEqual([]);
    expect(new Set(registered).size, 'a route registered twice').toBe(registered.length);
  });

  it('every registered event has an entry, and every entry a registered event', () => {
    const registered = srv.events.list().map((e) => e.event as string);
    expect(registered.sort()).toEqual(Object.keys(CLIENT_EVENT_DOCS).sort());
  });
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document (independent validator) with one operation per route', async () => {
    const res = await request(srv.url, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { requestBody?: any; parameters: any[]; security: unknown[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors, JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toBeUndefined();
    expect(result.valid).toBe(true);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(operations.sort()).toEqual(srv.routes.map(routeKey).sort());
  });

  it('takes request schemas from shared/schemas.ts and marks who may call', async () => {
    const doc = (await request(srv.url, 'GET', '/api/openapi.json')).body;
    const create = doc.paths['/api/rooms'].post;
    expect(create.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'visibility']), properties: { visibility: { enum: ['public', 'private'] } } });
    expect(create.responses['201']).toBeDefined();
    const adjust = doc.paths['/api/admin/adjustments'].post;
    expect(adjust.responses['403']).toBeDefined();
    expect(adjust.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/auth/register'].post.security).toEqual([]);
    const history = doc.paths['/api/tokens/history/{id}'].get;
    expect(history.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true }), expect.objectContaining({ name: 'kind', in: 'query', required: false })]));
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('INSUFFICIENT_BALANCE');
  });
});

describe('GET /api/asyncapi.json', () => {
  it('has a channel for every client and server event, client payloads from shared/schemas.ts, acks as replies', async () => {
    const res = await request(srv.url, 'GET', '/api/asyncapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.asyncapi).toBe('3.0.0');
    const addresses = Object.values(doc.channels as Record<string, { address: string }>).map((c) => c.address);
    // One channel per event name: `typing` goes both ways (issue 10).
    expect(addresses.sort()).toEqual([...new Set([...Object.keys(CLIENT_EVENT_DOCS), ...Object.keys(SERVER_EVENT_DOCS)])].sort());
    expect(Object.keys(doc.channels['typing'].messages).sort()).toEqual(['typing', 'typing.ack', 'typing.out']);
    expect(doc.components.messages['message-send'].payload).toMatchObject({ type: 'object', required: expect.arrayContaining(['roomId', 'clientMessageId', 'body']) });
    expect(doc.operations['receive.gift-send']).toMatchObject({ action: 'receive', reply: { messages: [{ $ref: '#/channels/gift-send/messages/gift-send.ack' }] } });
    expect(doc.operations['send.tokens-balance']).toMatchObject({ action: 'send' });
    // Every $ref resolves inside the document.
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = ref!.split('/').reduce<any>((node, part) => node?.[part], doc);
      expect(target, ref).toBeDefined();
    }
  });
});

describe('GET /api/docs', () => {
  it('serves Swagger UI from node_modules, and a real browser renders the operations with no other host', async () => {
    const page = await request<string>(srv.url, 'GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/api/docs/assets/swagger-ui-bundle.js');
    const asset = await request<string>(srv.url, 'GET', '/api/docs/assets/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await request(srv.url, 'GET', '/api/docs/assets/nope.js')).status).toBe(404);

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    try {
      const tab = await browser.newPage();
      const hosts = new Set<string>();
      tab.on('request', (r) => hosts.add(new URL(r.url()).host));
      await tab.goto(`${srv.url}/api/docs`);
      await tab.waitForSelector('.opblock', { timeout: 15_000 });
      expect(await tab.locator('.opblock').count()).toBe(srv.routes.length);
      expect([...hosts]).toEqual([new URL(srv.url).host]);
    } finally {
      await browser.close();
    }
  });
});
