import type { z } from 'zod';
import { ERROR_CATALOGUE } from '../../../shared/errors.js';
import type { ClientEventName, ServerToClientEvents } from '../../../shared/events.js';
import { inputSchema } from './json-schema.js';

type Json = Record<string, unknown>;

/** AsyncAPI component keys allow letters, digits, `.`, `-`, `_`: `room:join` -> `room-join`. */
const key = (event: string): string => event.replace(/[^A-Za-z0-9_.-]/g, '-');

const ACK = {
  oneOf: [
    { type: 'object', required: ['ok', 'data'], properties: { ok: { const: true }, data: { type: 'object' } } },
    {
      type: 'object',
      required: ['ok', 'error'],
      properties: { ok: { const: false }, error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) }, message: { type: 'string' } } } },
    },
  ],
};

/**
 * The AsyncAPI 3 document of the Socket.IO API: each client->server event the EventRegistry holds
 * (payload schema from shared/schemas.ts, the ack as its reply) and each server->client event of
 * shared/events.ts. Channel addresses are the event names; the transport is Socket.IO over
 * WebSocket (or long-polling) at `/socket.io/`, authenticated with `auth: { token }`.
 */
export function buildAsyncApi(
  clientEvents: ReadonlyArray<{ event: ClientEventName; schema: z.ZodType }>,
  clientDocs: Readonly<Record<ClientEventName, string>>,
  serverDocs: Readonly<Record<keyof ServerToClientEvents, string>>,
  version: string,
): Json {
  const channels: Record<string, Json> = {};
  const operations: Record<string, Json> = {};
  const messages: Record<string, Json> = {};
  for (const { event, schema } of clientEvents) {
    const k = key(event);
    messages[k] = { name: event, summary: clientDocs[event], payload: inputSchema(schema) };
    messages[`${k}.ack`] = { name: `${event} ack`, summary: 'The ack: { ok: true, data } or { ok: false, error: { code, message } } (docs/errors.md)', payload: ACK };
    channels[k] = { address: event, messages: { [k]: { $ref: `#/components/messages/${k}` }, [`${k}.ack`]: { $ref: `#/components/messages/${k}.ack` } } };
    operations[`receive.${k}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${k}` },
      summary: clientDocs[event],
      messages: [{ $ref: `#/channels/${k}/messages/${k}` }],
      reply: { channel: { $ref: `#/channels/${k}` }, messages: [{ $ref: `#/channels/${k}/messages/${k}.ack` }] },
    };
  }
  for (const [event, summary] of Object.entries(serverDocs)) {
    const k = key(event);
    // An event name used in both directions (`typing`, issue 10) is one channel with both messages.
    const mk = messages[k] ? `${k}.out` : k;
    const both = (channels[k] as { messages?: Record<string, Json> } | undefined)?.messages ?? {};
    messages[mk] = { name: event, summary, payload: { type: 'object', description: `The ${event} payload type in shared/events.ts (ServerToClientEvents)` } };
    channels[k] = { address: event, messages: { ...both, [mk]: { $ref: `#/components/messages/${mk}` } } };
    operations[`send.${k}`] = { action: 'send', channel: { $ref: `#/channels/${k}` }, summary, messages: [{ $ref: `#/channels/${k}/messages/${mk}` }] };
  }
  return {
    asyncapi: '3.0.0',
    info: { title: 'token-chat realtime API', version, description: 'Socket.IO events. Connect with io(url, { auth: { token } }); every client event is acked.' },
    defaultContentType: 'application/json',
    servers: { node: { host: 'localhost:3000', protocol: 'ws', pathname: '/socket.io/', description: 'Socket.IO (Engine.IO v4) on the HTTP port' } },
    channels,
    operations,
    components: { messages },
  };
}
