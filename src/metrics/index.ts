// What the event path touches. MetricsModule itself is imported by AppModule from its own file:
// it reads PublisherModule, which imports from here, and ES modules must not go round in a circle.
export { EventMetrics, type FailureReason } from './event-metrics.js';
