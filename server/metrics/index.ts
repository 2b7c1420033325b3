export { createMetrics, RATE_LIMIT_CODES, type AppMetrics } from './metrics.js';
export { eventObserver, httpMetrics, installHealthGauges, ledgerObserver, meterAwards } from './instrument.js';
export { metricsExposure, serveMetrics, startMetricsListener, type MetricsExposure } from './exposure.js';
export { judgeSupply, startSupplyRefresher, type SupplyFacts, type SupplyRefresher } from './supply.js';
