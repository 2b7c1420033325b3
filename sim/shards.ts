import { Worker } from 'node:worker_threads';
import type { ShardWeek } from './figures.js';
import type { ShardResult, ShardSpec } from './shard.js';
import type { ShardMessage } from './shard-worker.js';

const WORKER_ENTRY = new URL('./shard-worker.mjs', import.meta.url);

interface ShardThread {
  worker: Worker;
  done: Promise<ShardResult>;
}

/** Starts one shard in its own worker thread; `onWeek` hears each week as the shard finishes it. */
function startShard(spec: ShardSpec, onWeek: (week: ShardWeek) => void): ShardThread {
  const worker = new Worker(WORKER_ENTRY, { workerData: spec });
  const done = new Promise<ShardResult>((resolve, reject) => {
    let result: ShardResult | null = null;
    worker.on('message', (m: ShardMessage) => {
      if (m.kind === 'week') onWeek(m.week);
      else result = m.result;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`simulation shard ${spec.index + 1} of ${spec.count} ended (exit code ${code}) without a result`));
    });
  });
  return { worker, done };
}

/**
 * Runs every shard at once, one worker thread each, and calls `onWeek(n, readings)` as soon as
 * every shard has finished week n (readings in shard order; a shard sends its weeks in order, so
 * the weeks complete in order). Resolves with the results in shard order; the first failing shard
 * rejects it and the other threads are stopped.
 */
export async function runShards(specs: readonly ShardSpec[], onWeek: (week: number, readings: ShardWeek[]) => void): Promise<ShardResult[]> {
  const byWeek = new Map<number, Array<ShardWeek | undefined>>();
  const heard = (index: number, week: ShardWeek): void => {
    const readings = byWeek.get(week.week) ?? new Array<ShardWeek | undefined>(specs.length);
    readings[index] = week;
    byWeek.set(week.week, readings);
    const all = readings.filter((r): r is ShardWeek => r !== undefined);
    if (all.length === specs.length) {
      byWeek.delete(week.week);
      onWeek(week.week, all);
    }
  };
  const threads = specs.map((spec) => startShard(spec, (week) => heard(spec.index, week)));
  try {
    return await Promise.all(threads.map((t) => t.done));
  } catch (err) {
    await Promise.all(threads.map((t) => t.worker.terminate()));
    throw err;
  }
}
