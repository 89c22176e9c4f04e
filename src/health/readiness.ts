import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { DeliveryHealthIndicator } from './delivery.health.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import { RulesHealthIndicator } from './rules.health.js';

/** The checks `/health/ready` runs, in one place for the probe and for `kafka_events_ready`. */
@Injectable()
export class Readiness {
  readonly checks: (() => HealthIndicatorResult)[];

  constructor(
    rules: RulesHealthIndicator,
    kafka: KafkaHealthIndicator,
    delivery: DeliveryHealthIndicator,
  ) {
    this.checks = [() => rules.check(), () => kafka.check(), () => delivery.check()];
  }

  /** As the probe decides: ready unless a check is down (a degraded one still takes traffic). */
  get ready(): boolean {
    return this.checks.every((check) =>
      Object.values(check()).every((result) => result.status !== 'down'),
    );
  }
}
