import { Global, Module } from '@nestjs/common';
import { FilterModule } from '../filters/index.js';
import { KafkaModule } from '../kafka/index.js';
import { PublisherModule } from '../publisher/index.js';
import { EventMetrics } from './event-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { StateGauges } from './state-gauges.js';

// Global: the counters are touched along the whole event path, by modules this one also reads.
@Global()
@Module({
  imports: [FilterModule, KafkaModule, PublisherModule],
  controllers: [MetricsController],
  providers: [EventMetrics, StateGauges],
  exports: [EventMetrics],
})
export class MetricsModule {}
