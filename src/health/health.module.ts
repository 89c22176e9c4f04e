import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { FilterModule } from '../filters/index.js';
import { KafkaModule } from '../kafka/index.js';
import { PublisherModule } from '../publisher/index.js';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { RulesHealthIndicator } from './rules.health.js';
import { DeliveryHealthIndicator } from './delivery.health.js';
import { Readiness } from './readiness.js';
import { ReadinessMetric } from './readiness.metric.js';

// Terminus' own log line per failed probe is off: KafkaConnectivity logs each change of state once.
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), FilterModule, KafkaModule, PublisherModule],
  controllers: [HealthController],
  providers: [
    KafkaHealthIndicator,
    RulesHealthIndicator,
    DeliveryHealthIndicator,
    Readiness,
    ReadinessMetric,
  ],
})
export class HealthModule {}
