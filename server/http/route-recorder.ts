/** An HTTP method a route can be registered for, as the API documents write it. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route as registered: method and full express path pattern, e.g. `GET /api/rooms/:id`. */
export interface RecordedRoute {
  method: HttpMethod;
  path: string;
}

const METHODS: Record<string, HttpMethod> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' };

/** `GET /api/rooms/:id`: the key of a route in the API documents' catalogue. */
export const routeKey = (r: RecordedRoute): string => `${r.method} ${r.path}`;

/**
 * Wraps an express Router (or app) so every `get/post/put/patch/delete(path, ...handlers)` is
 * recorded, with `prefix` (where the router is mounted), into `into` before being registered as
 * usual. The API reference is generated from this list, so a route cannot exist undocumented
 * without the documents' test failing. `app.get('setting')` (one argument) is a settings read, not
 * a route, and is passed through unrecorded.
 */
export function recordRoutes<R extends object>(router: R, prefix: string, into: RecordedRoute[]): R {
  return new Proxy(router, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const method = typeof prop === 'string' ? METHODS[prop] : undefined;
      if (!method || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (args.length >= 2 && typeof args[0] === 'string') into.push({ method, path: `${prefix}${args[0]}` });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
