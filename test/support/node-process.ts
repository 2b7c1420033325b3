import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { HARNESS_RATE_LIMITS_ENV } from '../../server/limits/rate-limits.js';
import { REDIS_URL } from './server.js';

const root = join(import.meta.dirname, '../..');

/** A server node running as its own process (`server/main.ts` under tsx), reached only over the wire. */
export interface NodeProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** SIGTERM (graceful drain, as an orchestrator stops a node); resolves when the process exited. */
  stop(): Promise<void>;
}

export interface NodeProcessOptions {
  /** The data directory (SQLite file, uploads, JWT secret) it shares with the other nodes. */
  dataDir: string;
  /** The Redis key prefix it shares with the other nodes. */
  redisPrefix: string;
  /** More environment, as the operator would set it. */
  env?: Record<string, string>;
}

/**
 * Starts `server/main.ts` as a separate process, as an operator runs a replica (issue 15): nothing
 * is shared with the test process or another node except what the deployment shares, Redis (same
 * prefix) and the store (here one SQLite file in WAL mode, opened by each process on its own
 * connection). So a two-node test over these proves what two machines would see; module state
 * cannot leak between nodes. Resolves once the node prints its listening line.
 */
export async function startNodeProcess(opts: NodeProcessOptions): Promise<NodeProcess> {
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: opts.dataDir,
    MONGO_URL: '',
    REDIS_URL,
    REDIS_PREFIX: opts.redisPrefix,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    ...HARNESS_RATE_LIMITS_ENV,
    ...opts.env,
  };
  // node itself (not the tsx wrapper), so that signals reach the server process.
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/main.ts')], { cwd: root, env, stdio: 'pipe' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node process printed no listening line in 30 s: ${out}${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node process exited ${code} before listening: ${out}${stderr}`));
    });
  });
  // Keep draining stdout, or a chatty node blocks on a full pipe.
  child.stdout.resume();
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * A second node for an in-process `first` node, as a separate process sharing exactly what a
 * deployment shares with it: its data directory (the SQLite file) and its Redis key prefix. The
 * two-node tests use this for node B (issue 15), so module state cannot leak between the nodes;
 * `env` should repeat whatever economy or limit settings node A was started with, since an
 * operator configures every replica alike.
 */
export function startPeerProcess(first: { dataDir: string; ctx: { config: { redisPrefix: string } } }, env: Record<string, string> = {}): Promise<NodeProcess> {
  return startNodeProcess({ dataDir: first.dataDir, redisPrefix: first.ctx.config.redisPrefix, env });
}

/**
 * `srv` addressed at `node` instead: only `url` changes. For the fixtures that take an in-process
 * server to sign a request's token with the shared JWT secret (`srv.ctx.tokens`) and send it to
 * `srv.url`, so the same request can go to a node process. Read nothing else of the result as
 * `node`'s: its `ctx` is still `srv`'s.
 */
export function addressedAt<T extends { url: string }>(srv: T, node: { url: string }): T {
  return { ...srv, url: node.url };
}

/**
 * `fence` (test/support/fence.ts) for a socket connected to a node process, where the test cannot
 * reach the node's Socket.IO server: a round trip on the socket itself. The node refuses the
 * payload at validation (nothing is read or written) and acks; Socket.IO keeps one connection's
 * packets in order, so once the ack is here every event that node had already written to this
 * socket is here too. Pair it with `fence(a, socket)` for what in-process node A sends through
 * the adapter.
 */
export async function wireFence(socket: { emit(...args: any[]): unknown }): Promise<void> {
  const reply = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('wireFence: no ack in 5 s')), 5000);
    socket.emit('room:read', {}, (r: unknown) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
  if ((reply as { error?: { code?: string } } | null)?.error?.code !== 'VALIDATION_FAILED') throw new Error(`wireFence: unexpected ack ${JSON.stringify(reply)}`);
}
