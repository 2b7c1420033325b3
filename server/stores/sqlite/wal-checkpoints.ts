import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../lib/logger.js';
import type { SqliteDb } from './db.js';

/** SQLite's default: a commit that leaves the WAL this many frames long checkpoints it itself. */
export const INLINE_AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointOptions {
  /** The main connection, whose own (inline) checkpoints this takes over. */
  db: SqliteDb;
  /** The database file; its WAL is `${file}-wal`. */
  file: string;
  logger: Pick<Logger, 'warn'>;
  /** The background thread starts the first time the WAL file is at least this large. */
  startBytes?: number;
  /** How often the WAL file's size is looked at until then. */
  pollMs?: number;
  /** Pause between two checkpoint passes of the background thread. */
  intervalMs?: number;
  /**
   * While the thread runs, the main connection still checkpoints once the WAL is this many frames
   * long: a ceiling should the thread fall behind (a steady writer leaves the last frames of each
   * pass for the next), so the WAL cannot grow without bound.
   */
  fallbackPages?: number;
  /** The better-sqlite3 module the thread loads (a path or package name); tests inject a broken one. */
  driver?: string;
}

/** One pass of the background thread: SQLite's answer to `wal_checkpoint(PASSIVE)`. */
export interface CheckpointPass {
  /** 1 when another connection was checkpointing at that moment (nothing was done). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Of those, frames already copied into the database file. */
  checkpointed: number;
  /** How long the pass took on its thread. */
  ms: number;
}

export type WalCheckpointState = 'idle' | 'running' | 'failed' | 'stopped';

export interface WalCheckpoints {
  /** idle: inline checkpoints, thread not started yet; running: background; failed: back to inline for good. */
  state(): WalCheckpointState;
  /** Calls `listener` after every background pass that found frames in the WAL (tests, diagnostics). */
  onPass(listener: (pass: CheckpointPass) => void): void;
  /** Looks at the WAL file's size now (the timer does every `pollMs`) and starts the thread if it is due. */
  pollNow(): Promise<void>;
  /** Stops the thread (its connection closed) before the main connection closes; idempotent. */
  stop(): Promise<void>;
}

const DEFAULTS = { startBytes: 1 << 20, pollMs: 1000, intervalMs: 50, fallbackPages: 4000 };
const STOP_TIMEOUT_MS = 2000;

/**
 * The background thread's program. Plain JavaScript in a string so that it runs unchanged under
 * tsx, vitest and the compiled image (a TypeScript worker file would need a loader in each).
 * PASSIVE never waits for, nor blocks, the main connection's readers and writers: it copies the
 * frames committed before it started, and syncs the WAL and then the database file as
 * `synchronous = NORMAL` requires. Once a pass has copied every frame, the main connection's next
 * write restarts the WAL from its beginning, so the file stays small without the main thread
 * ever copying pages.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
let timer = null;
let stopped = false;
const pass = () => {
  timer = null;
  if (stopped) return;
  const started = performance.now();
  const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
  if (row.log > 0) parentPort.postMessage({ busy: row.busy, log: row.log, checkpointed: row.checkpointed, ms: performance.now() - started });
  timer = setTimeout(pass, workerData.intervalMs);
};
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  stopped = true;
  if (timer) clearTimeout(timer);
  db.close();
  parentPort.close();
});
pass();
`;

/**
 * Moves the WAL checkpoints of the embedded database off the event loop (issue 16, issue 6).
 *
 * By default SQLite checkpoints inside the commit that takes the WAL past 1,000 frames: that
 * commit copies every page into the database file and waits for two fsyncs, and on the one
 * thread that serves every socket. Under load this happened every few hundred milliseconds and
 * held the event loop for 2-25 ms each time (measured in the gift storm), a tail every in-flight
 * request paid. Here a worker thread with its own connection runs PASSIVE checkpoints every
 * `intervalMs`, and the main connection's own threshold is raised to `fallbackPages`.
 *
 * The thread starts lazily, the first time the WAL file passes `startBytes` (1 MiB by default):
 * starting one costs about 100 ms of CPU, which a server under load pays once and an app that
 * writes little (a test, an operator command) never. Durability is unchanged: commits still go to
 * the WAL with the main connection's settings, and the checkpoint syncs exactly as SQLite's own.
 * If the thread cannot start or dies, the main connection takes its inline checkpoints back
 * (logged once) for the rest of the process.
 */
export function startWalCheckpoints(opts: WalCheckpointOptions): WalCheckpoints {
  const { db, file, logger } = opts;
  const cfg = { ...DEFAULTS, ...pickDefined(opts) };
  const driver = opts.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
  const listeners: Array<(pass: CheckpointPass) => void> = [];
  let state: WalCheckpointState = 'idle';
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let poll: NodeJS.Timeout | null = null;

  const fallBack = (reason: string): void => {
    if (state !== 'running') return;
    state = 'failed';
    worker = null;
    if (db.open) db.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT_PAGES}`);
    logger.warn({ reason }, 'sqlite: background WAL checkpoints stopped; the main connection checkpoints inline again');
  };

  const start = (): void => {
    if (state !== 'idle') return;
    state = 'running';
    db.pragma(`wal_autocheckpoint = ${cfg.fallbackPages}`);
    const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { driver, file, intervalMs: cfg.intervalMs } });
    worker = w;
    exited = new Promise((resolve) => w.once('exit', () => resolve()));
    w.on('message', (pass: CheckpointPass) => {
      for (const listener of listeners) listener(pass);
    });
    w.once('error', (err) => fallBack(err.message));
    w.once('exit', (code) => {
      if (worker === w) fallBack(`the checkpoint thread exited (code ${code})`);
    });
    // A checkpoint thread must never keep the process alive on its own.
    w.unref();
  };

  const pollNow = async (): Promise<void> => {
    if (state !== 'idle') return;
    const size = await stat(`${file}-wal`).then(
      (s) => s.size,
      () => 0, // no WAL file yet
    );
    if (size >= cfg.startBytes) start();
  };
  const schedulePoll = (): void => {
    poll = setTimeout(() => {
      poll = null;
      void pollNow().then(() => {
        if (state === 'idle') schedulePoll();
      });
    }, cfg.pollMs);
    poll.unref();
  };
  schedulePoll();

  return {
    state: () => state,
    onPass(listener) {
      listeners.push(listener);
    },
    pollNow,
    async stop() {
      if (poll) clearTimeout(poll);
      poll = null;
      const w = worker;
      worker = null;
      if (state === 'idle' || state === 'running') state = 'stopped';
      if (!w) return;
      // Held open until the thread has closed its connection, even if nothing else is left.
      w.ref();
      w.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)));
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') await w.terminate();
    },
  };
}

function pickDefined(opts: WalCheckpointOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = opts[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
