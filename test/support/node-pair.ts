import { afterAll, beforeAll } from 'vitest';
import { startPeerProcess, type NodeProcess } from './node-process.js';
import { startTestServer, type TestServer } from './server.js';

/** Node A in this process, node B a separate process sharing its data directory and Redis prefix. */
export interface NodePair {
  a: TestServer;
  b: NodeProcess;
}

/**
 * Registers the hooks of a two-node block (issue 15): beforeAll starts node A in this process
 * (real Redis under a fresh prefix, `env`) and node B as its own process with the same `env` (an
 * operator configures every replica alike), then hands both to `started` (e.g. to make an
 * admin); afterAll stops B, then A. One pair per block, not per test: a process start takes
 * seconds under load, hence the hook's 60 s.
 */
export function useNodePair(env: Record<string, string>, started: (nodes: NodePair) => void | Promise<void>): void {
  let nodes: NodePair | undefined;
  beforeAll(async () => {
    const a = await startTestServer({ redis: true, env });
    try {
      nodes = { a, b: await startPeerProcess(a, env) };
    } catch (err) {
      await a.stop();
      throw err;
    }
    await started(nodes);
  }, 60_000);
  afterAll(async () => {
    await nodes?.b.stop();
    await nodes?.a.stop();
  });
}
