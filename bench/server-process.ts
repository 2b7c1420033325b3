import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { HARNESS_RATE_LIMITS_ENV } from '../server/limits/rate-limits.js';

/** The repository root, whatever the caller's working directory. */
export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const startTimeoutMs = 90_000;
const stopTimeoutMs = 10_000;
const probeTimeoutMs = 5_000;
/** Event-loop reports kept (one a second): far more than any scenario lasts. */
const loopSamplesMax = 600;

export interface ServerOptions {
  /** Extra environment for the child (e.g. ECONOMY_ENABLED, ADMIN_USERNAMES). */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the child into this directory when it exits. */
  cpuProfileDir?: string;
  /** Economy overrides, written into the data directory and passed as ECONOMY_OVERRIDES_FILE. */
  economyOverrides?: Record<string, unknown>;
  /**
   * Redis for counters and the Socket.IO adapter: a URL, `null` for none (the embedded default
   * whatever the bench's environment says), or absent to pass the bench's REDIS_URL through.
   */
  redisUrl?: string | null;
  /** Another node of the same cluster: share its data directory and Redis prefix (it owns both). */
  peerOf?: ServerHandle;
}

/** Memory of the child process: RSS from /proc, V8 heap from the bench's own preload probe. */
export interface ChildMemory {
  rssBytes: number;
  heapUsedBytes: number | null;
  externalBytes: number | null;
}

/** One second of the child's event-loop delay, stamped with the bench's clock when it arrived. */
export interface LoopDelaySample {
  at: number;
  p99Ms: number;
  maxMs: number;
}

export interface ServerHandle {
  url: string;
  pid: number;
  /** The data directory (shared by a second node started with `peerOf`). */
  dataDir: string;
  /** The Redis URL and key prefix the child uses, or null for in-process counters. */
  redis: { url: string; prefix: string } | null;
  /** Event-loop delay reports (one a second) received since `since` (performance.now() time). */
  loopDelaySince(since: number): LoopDelaySample[];
  /** Last lines the child wrote (for error messages). */
  output(): string;
  /** Why the child is gone, or null while it runs. */
  exitReason(): string | null;
  /** Runs a full GC in the child and reads its memory. */
  memory(): Promise<ChildMemory>;
  /** SIGTERM (the server drains), SIGKILL after a timeout; removes the data directory. */
  stop(): Promise<void>;
}

/** Every child still running, with the data directory to remove once it is gone (null: a peer's). */
const running = new Map<ChildProcess, string | null>();

/** Kills every child still running and removes its data, synchronously (for process exit and SIGINT). */
export function killAllServers(): void {
  for (const [child, dataDir] of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  running.clear();
}

process.once('exit', killAllServers);

/**
 * Starts `server/main.ts` as a child node process (tsx loader, no wrapper process, so the pid is
 * the server's own) on a free loopback port with a fresh temporary DATA_DIR and warn-level logs.
 * MONGO_URL / REDIS_URL pass through from the bench's environment; otherwise the embedded default
 * runs. Resolves once the child prints its URL.
 */
export async function startServer(opts: ServerOptions = {}): Promise<ServerHandle> {
  const peer = opts.peerOf;
  // A second node shares the first one's files and keys; only the owner removes them.
  const ownsData = !peer;
  const dataDir = peer ? peer.dataDir : mkdtempSync(join(tmpdir(), 'tc-bench-'));
  const overrides: Record<string, string> = {};
  if (opts.economyOverrides) {
    overrides['ECONOMY_OVERRIDES_FILE'] = join(dataDir, 'economy-overrides.json');
    writeFileSync(overrides['ECONOMY_OVERRIDES_FILE'], JSON.stringify(opts.economyOverrides));
  }
  const redisUrl = peer ? (peer.redis?.url ?? null) : opts.redisUrl === undefined ? (process.env['REDIS_URL'] ?? null) : opts.redisUrl;
  const redis = redisUrl ? { url: redisUrl, prefix: peer?.redis?.prefix ?? `bench:${randomBytes(4).toString('hex')}:` } : null;
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? tmpdir(),
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...passThrough(['MONGO_URL']),
    ...(redis ? { REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix } : {}),
    // The bench is hundreds of users from one address: limits that never refuse, still consulted.
    ...HARNESS_RATE_LIMITS_ENV,
    ...overrides,
    ...opts.env,
  };
  const nodeArgs = ['--expose-gc', '--import', 'tsx', '--import', './bench/child/memory-probe.ts'];
  if (opts.cpuProfileDir) {
    mkdirSync(opts.cpuProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`);
  }
  const child = spawn(process.execPath, [...nodeArgs, 'server/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.set(child, ownsData ? dataDir : null);

  const tail: string[] = [];
  const loopSamples: LoopDelaySample[] = [];
  const probeWaiters: Array<(line: string) => void> = [];
  let urlResolve: ((url: string) => void) | undefined;
  const onLine = (line: string): void => {
    if (line.startsWith('BENCH_LOOP ')) {
      const d = JSON.parse(line.slice('BENCH_LOOP '.length)) as { p99Ms: number; maxMs: number };
      loopSamples.push({ at: performance.now(), ...d });
      if (loopSamples.length > loopSamplesMax) loopSamples.shift();
      return;
    }
    if (line.startsWith('BENCH_MEMORY ')) {
      probeWaiters.shift()?.(line.slice('BENCH_MEMORY '.length));
      return;
    }
    tail.push(line);
    if (tail.length > 40) tail.shift();
    const listening = /Chat server listening on (http:\/\/\S+)/.exec(line);
    if (listening?.[1] && urlResolve) urlResolve(listening[1]);
  };
  splitLines(child.stdout!, onLine);
  splitLines(child.stderr!, onLine);
  const output = (): string => tail.join('\n');

  let exitReason: string | null = null;
  const exited = new Promise<void>((res) =>
    child.once('exit', (code, signal) => {
      exitReason = `server exited (code ${code}, signal ${signal})`;
      res();
    }),
  );
  const cleanup = (): void => {
    running.delete(child);
    if (ownsData) rmSync(dataDir, { recursive: true, force: true });
  };

  let url: string;
  let timer: NodeJS.Timeout | undefined;
  try {
    url = await new Promise<string>((res, rej) => {
      urlResolve = res;
      timer = setTimeout(() => rej(new Error(`server did not start in ${startTimeoutMs} ms:\n${output()}`)), startTimeoutMs);
      child.once('exit', (code, signal) => rej(new Error(`server exited during start (code ${code}, signal ${signal}):\n${output()}`)));
      child.once('error', rej);
    });
  } catch (err) {
    child.kill('SIGKILL');
    cleanup();
    throw err;
  } finally {
    clearTimeout(timer);
    urlResolve = undefined;
  }
  const pid = child.pid!;

  const memory = async (): Promise<ChildMemory> => {
    const probe = new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('memory probe did not answer')), probeTimeoutMs);
      probeWaiters.push((line) => {
        clearTimeout(timer);
        res(line);
      });
    });
    child.kill('SIGUSR2');
    const heap = JSON.parse(await probe) as { heapUsed: number; external: number };
    return { rssBytes: readRssBytes(pid), heapUsedBytes: heap.heapUsed, externalBytes: heap.external };
  };

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
    if (redis && ownsData) await deleteRedisKeys(redis.url, redis.prefix);
  };

  const loopDelaySince = (since: number): LoopDelaySample[] => loopSamples.filter((d) => d.at >= since);

  return { url, pid, dataDir, redis, output, memory, stop, loopDelaySince, exitReason: () => exitReason };
}

/** Removes the keys a bench server left under its own Redis prefix (cap counters expire only after days). */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  try {
    await redis.connect();
    let cursor = '0';
    // Bounded: a bench server writes a few thousand keys at most.
    for (let round = 0; round < 10_000; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/** Resident set size of a process, from /proc/<pid>/status (Linux). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/** CPU time (user + system) a process has used so far, from /proc/<pid>/stat (Linux, 100 ticks/s). */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSec = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSec;
}

function passThrough(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = process.env[n];
    if (v) out[n] = v;
  }
  return out;
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
    }
    // A child that never ends a line must not grow this without bound.
    if (buffered.length > 64 * 1024) buffered = buffered.slice(-1024);
  });
}
