import type { Feature } from './feature.js';

/**
 * Every feature the server runs, in registration order. A feature module exports one `Feature`
 * (see server/feature.ts) and is listed here.
 */
export const features: Feature[] = [];
