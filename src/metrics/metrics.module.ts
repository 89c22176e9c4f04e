import { Global, Module } from '@nestjs/common';
import { EventMetrics } from './event-metrics.js';
import { MetricsController } from './metrics.controller.js';

/**
 * A leaf: it depends on no module of ours. Global, because counters are touched along the whole
 * event path; each owner registers the gauges of its own state (see EventMetrics.gauge).
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [EventMetrics],
  exports: [EventMetrics],
})
export class MetricsModule {}
