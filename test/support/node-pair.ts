import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './server.js';
import { startPeerProcess, type NodeProcess } from './node-process.js';

/** Two nodes of one deployment: A in the test process, B a separate process (issue 15). */
export interface NodePair {
  /** In this process, so a test can still ask its adapter (which sees every node's sockets) or its store. */
  a: TestServer;
  /** `server/main.ts` as its own process, reached only over the wire. */
  b: NodeProcess;
  /** Stops B, then A (which removes the shared data directory). */
  stop(): Promise<void>;
}

/**
 * Node A (startTestServer with real Redis and `env`) and node B started by startPeerProcess with
 * the same `env`, since an operator configures every replica alike. For a beforeAll with a hook
 * timeout of about a minute: starting a process (tsx and the whole server) takes seconds on a
 * loaded machine. If B cannot start, A is stopped before the error is thrown, so nothing leaks.
 */
export async function startNodePair(env: Record<string, string> = {}): Promise<NodePair> {
  const a = await startTestServer({ redis: true, env });
  let b: NodeProcess;
  try {
    b = await startPeerProcess(a, env);
  } catch (err) {
    await a.stop();
    throw err;
  }
  return {
    a,
    b,
    async stop() {
      await b.stop();
      await a.stop();
    },
  };
}

/**
 * Starts a node pair in a beforeAll of the calling file or describe (timeout one minute, see
 * startNodePair) and stops it in its afterAll. `started` gets the pair once it is up, to keep its
 * nodes in the suite's variables or prepare shared fixtures (an admin, say).
 */
export function useNodePair(env: Record<string, string>, started: (pair: NodePair) => unknown): void {
  let pair: NodePair | undefined;
  beforeAll(async () => {
    pair = await startNodePair(env);
    await started(pair);
  }, 60_000);
  afterAll(async () => {
    await pair?.stop();
  });
}
