import { ERROR_CATALOGUE } from '../../../shared/errors.js';
import type { RecordedRoute } from '../route-recorder.js';
import { routeKey } from '../route-recorder.js';
import type { RouteDoc } from './catalogue.js';
import { inputSchema } from './json-schema.js';

type Json = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const json = (schema: Json): Json => ({ 'application/json': { schema } });

/** `/api/rooms/:id` -> `/api/rooms/{id}` and the path parameters it names. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

/** Query parameters from an object schema: one parameter per property. */
function queryParams(doc: RouteDoc): Json[] {
  if (!doc.query) return [];
  const schema = inputSchema(doc.query) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: s }));
}

function successContent(doc: RouteDoc): Json {
  if (doc.content === 'file') return { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };
  if (doc.content === 'html') return { 'text/html': { schema: { type: 'string' } } };
  if (doc.content === 'text') return { 'text/plain': { schema: { type: 'string' } } };
  return json({ type: 'object' });
}

function requestBody(doc: RouteDoc): Json | undefined {
  if (doc.content === 'multipart') {
    return { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } }, required: ['file'] } } } };
  }
  return doc.body ? { required: true, content: json(inputSchema(doc.body)) } : undefined;
}

function operation(route: RecordedRoute, doc: RouteDoc, params: string[]): Json {
  const responses: Json = { [String(doc.ok ?? 200)]: { description: doc.returns ?? 'Success', content: successContent(doc) } };
  if (doc.auth !== 'none') responses['401'] = { description: 'No or a bad token (UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_INVALID)', content: json(ERROR_REF) };
  if (doc.auth === 'admin') responses['403'] = { description: 'Not an admin (FORBIDDEN)', content: json(ERROR_REF) };
  responses['default'] = { description: 'An error: the status and code of docs/errors.md', content: json(ERROR_REF) };
  const body = requestBody(doc);
  const segments = route.path.split('/').filter((p) => p && !p.startsWith(':'));
  return {
    operationId: `${route.method.toLowerCase()}_${segments.join('_').replace(/[^A-Za-z0-9_]/g, '_') || 'root'}${params.length ? `_by_${params.join('_')}` : ''}`,
    summary: doc.summary,
    tags: [segments[0] === 'api' ? (segments[1] ?? 'api') : 'process'],
    security: doc.auth === 'none' ? [] : [{ bearer: [] }],
    ...(doc.auth === 'admin' ? { description: 'Admins only.' } : {}),
    parameters: [...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 64 } })), ...queryParams(doc)],
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of every recorded route that has a catalogue entry. Request schemas
 * come from the zod schemas of shared/schemas.ts (zod's own JSON Schema output), error codes from
 * the error catalogue: nothing is written twice.
 */
export function buildOpenApi(routes: readonly RecordedRoute[], docs: Readonly<Record<string, RouteDoc>>, version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const doc = docs[routeKey(route)];
    if (!doc) continue;
    const { path, params } = openApiPath(route.path);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, doc, params);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'token-chat',
      version,
      description: 'REST API of token-chat. The realtime side (Socket.IO events) is /api/asyncapi.json. Errors: docs/errors.md.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) }, message: { type: 'string' }, details: { type: 'object' } },
            },
          },
        },
      },
    },
  };
}
