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
 * a route, and is passed through unrecorded. `router.route(path).get(...)` is recorded too.
 */
export function recordRoutes<R extends object>(router: R, prefix: string, into: RecordedRoute[]): R {
  return new Proxy(router, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => unknown;
      if (prop === 'route') return (path: string) => recordRouteMethods(fn.call(target, path) as object, `${prefix}${path}`, into);
      const method = typeof prop === 'string' ? METHODS[prop] : undefined;
      if (!method) return value;
      return (...args: unknown[]) => {
        if (args.length >= 2 && typeof args[0] === 'string') into.push({ method, path: `${prefix}${args[0]}` });
        return fn.apply(target, args);
      };
    },
  });
}

/** An express Route (`router.route(path)`): its method calls carry only handlers, the path is fixed. */
function recordRouteMethods<T extends object>(route: T, path: string, into: RecordedRoute[]): T {
  const proxy: T = new Proxy(route, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const method = typeof prop === 'string' ? METHODS[prop] : undefined;
      if (!method || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        into.push({ method, path });
        (value as (...a: unknown[]) => unknown).apply(target, args);
        return proxy; // chaining (`.get(...).post(...)`) stays recorded
      };
    },
  });
  return proxy;
}
