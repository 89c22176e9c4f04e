// The metrics' public face: other modules import from here, never from its files.
export { EventMetrics, type FailureReason } from './event-metrics.js';
export { MetricsModule } from './metrics.module.js';
