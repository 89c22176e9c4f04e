import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config.js';
import { KafkaConnectivity } from '../kafka/index.js';

/**
 * Kafka as the last background check saw it. Where Kafka is not required for readiness (a
 * spooling instance), an outage shows as `degraded`: reported, but the instance keeps its traffic.
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly connectivity: KafkaConnectivity,
    private readonly config: AppConfig,
  ) {}

  check(): HealthIndicatorResult<'kafka'> {
    const indicator = this.indicators.check('kafka');
    const { status, reason, checkedAt } = this.connectivity.state;
    if (status === 'up') return indicator.up({ checkedAt });
    const data = { message: reason ?? 'not checked yet', checkedAt };
    return this.config.kafka.requiredForReadiness ? indicator.down(data) : indicator.degraded(data);
  }
}
