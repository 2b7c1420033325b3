import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Preloaded into the benchmarked server (`node --expose-gc --import` this file), so the bench can
 * look inside it without any admin route in the server itself:
 * - on SIGUSR2 it runs a full garbage collection and prints the V8 heap figures on one line;
 * - every second it prints the event-loop delay of that second (p99 and max), which tells a
 *   blocked loop (synchronous work, GC) from a quiet one.
 */
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`BENCH_MEMORY ${JSON.stringify({ heapUsed: m.heapUsed, external: m.external, rss: m.rss, gc: Boolean(gc) })}\n`);
});

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const loopReportMs = 1000;
setInterval(() => {
  const p99Ms = loopDelay.percentile(99) / 1e6;
  const maxMs = loopDelay.max / 1e6;
  loopDelay.reset();
  process.stdout.write(`BENCH_LOOP ${JSON.stringify({ p99Ms: Math.round(p99Ms * 10) / 10, maxMs: Math.round(maxMs * 10) / 10 })}\n`);
}, loopReportMs).unref();
