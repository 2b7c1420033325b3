// Worker thread bootstrap for sim/shard-worker.ts: a worker does not inherit the TypeScript
// loader of the thread that started it (tsx on the command line, vite-node under vitest), so it
// registers tsx itself before loading the shard's code.
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
