import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaConnectivity, kafkaSettings, type KafkaSettings } from '../kafka/index.js';
import { publisherSettings, type PublisherSettings } from '../publisher/index.js';

/**
 * Kafka as the last background check saw it. Where Kafka is not required for readiness (a
 * spooling instance), an outage shows as `degraded`: reported, but the instance keeps its traffic.
 */
@Injectable()
export class KafkaHealthIndicator {
  /** READY_REQUIRES_KAFKA, by default only in `kafka` mode: a spooling instance takes events while Kafka is away. */
  private readonly required: boolean;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly connectivity: KafkaConnectivity,
    @Inject(kafkaSettings.token) kafka: KafkaSettings,
    @Inject(publisherSettings.token) delivery: PublisherSettings,
  ) {
    this.required = kafka.requiredForReadiness ?? delivery.mode === 'kafka';
  }

  check(): HealthIndicatorResult<'kafka'> {
    const indicator = this.indicators.check('kafka');
    const { status, reason, checkedAt } = this.connectivity.state;
    if (status === 'up') return indicator.up({ checkedAt });
    const data = { message: reason ?? 'not checked yet', checkedAt };
    return this.required ? indicator.down(data) : indicator.degraded(data);
  }
}
