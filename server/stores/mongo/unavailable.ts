import { AppError } from '../../lib/app-error.js';

/**
 * Driver errors that mean "no usable server right now" (no primary during an election, the
 * network is down, the connection is closed), as opposed to a refused or broken command. With
 * command buffering off and a short server selection (connection.ts) they arrive within seconds,
 * and the stores turn them into the typed STORE_UNAVAILABLE (503) instead of INTERNAL.
 */
const UNAVAILABLE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(err.name)) return true;
  // With bufferCommands off, mongoose refuses a model call on a connection that is not open.
  return err.name === 'MongooseError' && /bufferCommands = false/.test(err.message);
}

/**
 * The same store with every method's "no server" failure turned into AppError('STORE_UNAVAILABLE');
 * other errors (and every result) pass through unchanged.
 */
export function failFast<T extends object>(store: T): T {
  const translate = (err: unknown): never => {
    if (isStoreUnavailable(err)) throw new AppError('STORE_UNAVAILABLE', undefined, { reason: (err as Error).name });
    throw err;
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? result.catch(translate) : result;
        } catch (err) {
          return translate(err);
        }
      };
    },
  });
}
