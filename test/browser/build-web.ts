import { buildWeb, webBuildIsStale } from '../../web/build-if-stale.js';

/**
 * vitest global setup: the browser tests need the built client. It is built once per run, and
 * only when web/dist is missing or older than its sources (a current build costs a few stat calls).
 */
export default async function setup(): Promise<void> {
  if (webBuildIsStale()) await buildWeb();
}
