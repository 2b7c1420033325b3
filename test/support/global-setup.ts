import type { TestProject } from 'vitest/node';
import { locateMongo, type MongoAvailability } from './mongo-locator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongo: MongoAvailability;
  }
}

/**
 * Once per run: decide whether the MongoDB half of the store contract suites can run, share the
 * answer with every worker, and say so plainly at the start and again at the very end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mongo = await locateMongo();
  project.provide('mongo', mongo.availability);
  const line =
    'url' in mongo.availability
      ? '[contract] MongoDB half: RUNNING against a replica set (MONGO_URL or mongodb-memory-server).'
      : `[contract] MongoDB half: SKIPPED: ${mongo.availability.skipped}. The store contract suites ran on SQLite only.`;
  console.log(line);
  return async () => {
    await mongo.stop();
    console.log(line);
  };
}
