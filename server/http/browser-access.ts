import type { IncomingMessage } from 'node:http';
import type { Express, Request } from 'express';
import cors from 'cors';
import helmet from 'helmet';

/**
 * Which browser pages may talk to this server, for REST and Socket.IO alike (docs/chat.md,
 * "Browser access"). A page of the server's own origin always may; other origins only when listed
 * in CORS_ORIGINS. Requests without an `Origin` header (curl, server-side clients, the tests'
 * socket.io-client) are not browser pages and are not judged here: authentication still applies.
 */
export interface OriginPolicy {
  /** True when a request carrying `origin` may be served (same origin as `host`, or listed). */
  allows(origin: string | undefined, host: string | undefined): boolean;
  /** The configured extra origins (empty: same origin only). */
  readonly listed: readonly string[];
}

export function createOriginPolicy(listed: readonly string[]): OriginPolicy {
  const set = new Set(listed);
  return {
    listed,
    allows(origin, host) {
      if (origin === undefined) return true;
      if (set.has(origin)) return true;
      return host !== undefined && sameHost(origin, host);
    },
  };
}

/** The page's origin names the very host the request was sent to (scheme is the proxy's business). */
function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** A host header fit to be echoed into a CSP source (anything else is left out). */
const HOST_SOURCE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

const socketSources = (req: IncomingMessage): string => {
  const host = req.headers.host;
  return host && HOST_SOURCE.test(host) ? `ws://${host} wss://${host}` : '';
};

/**
 * Security headers (helmet) and CORS for every HTTP answer. The CSP fits the web client served
 * from this same origin: its scripts, styles and images, `data:`/`blob:` images (avatars being
 * previewed, canvas exports), and its own WebSocket (`'self'` covers ws:/wss: only in CSP3
 * browsers, so the host's ws:/wss: sources are named too).
 */
export function applyBrowserAccess(app: Express, policy: OriginPolicy): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'", (req) => socketSources(req)],
          objectSrc: ["'none'"],
          frameAncestors: ["'self'"],
        },
      },
      // Listed origins may embed this server's images (avatars, shared files).
      crossOriginResourcePolicy: { policy: policy.listed.length > 0 ? 'cross-origin' : 'same-origin' },
    }),
  );
  app.use(
    cors((req: Request, cb) => {
      const origin = req.headers.origin;
      // A listed origin gets CORS headers; a same-origin page needs none; any other gets none,
      // so the browser withholds the answer.
      cb(null, { origin: origin !== undefined && policy.listed.includes(origin), maxAge: 600 });
    }),
  );
}

/**
 * The same rule for Socket.IO: `cors` for the polling transport's headers, and `allowRequest`
 * for every handshake, because browsers do not apply CORS to WebSocket upgrades.
 */
export function socketBrowserAccess(policy: OriginPolicy) {
  return {
    cors: {
      origin: (origin: string | undefined, cb: (err: Error | null, allow?: boolean) => void) => cb(null, origin !== undefined && policy.listed.includes(origin)),
    },
    allowRequest: (req: IncomingMessage, cb: (err: string | null | undefined, success: boolean) => void) => {
      cb(null, policy.allows(req.headers.origin, req.headers.host));
    },
  };
}
