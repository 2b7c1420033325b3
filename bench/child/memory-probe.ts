/**
 * Preloaded into the benchmarked server (`node --expose-gc --import` this file): on SIGUSR2 it
 * runs a full garbage collection and prints the V8 heap figures on one stdout line, so the bench
 * can measure memory per connection without any admin route in the server itself.
 */
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`BENCH_MEMORY ${JSON.stringify({ heapUsed: m.heapUsed, external: m.external, rss: m.rss, gc: Boolean(gc) })}\n`);
});
