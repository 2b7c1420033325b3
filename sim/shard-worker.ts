import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardResult, type ShardSpec } from './shard.js';
import type { ShardWeek } from './figures.js';

/** What a shard's worker thread tells the coordinator (sim/shards.ts): each week as it ends, then the result. */
export type ShardMessage = { kind: 'week'; index: number; week: ShardWeek } | { kind: 'done'; result: ShardResult };

/*
 * Worker thread entry (started by sim/shard-worker.mjs, which registers the TypeScript loader):
 * runs the shard named by workerData. A failure rejects the run and ends the thread with the
 * error, which the coordinator receives as the worker's 'error' event.
 */
const spec = workerData as ShardSpec;
const port = parentPort!;
const post = (m: ShardMessage): void => port.postMessage(m);
const result = await runShard(spec, (week) => post({ kind: 'week', index: spec.index, week }));
post({ kind: 'done', result });
