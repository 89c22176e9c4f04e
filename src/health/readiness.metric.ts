import { Injectable } from '@nestjs/common';
import { EventMetrics } from '../metrics/index.js';
import { Readiness } from './readiness.js';

/**
 * Readiness as a metric, decided at scrape time by the probe's own checks: an alert sees what
 * the kubelet sees, also where no probe runs.
 */
@Injectable()
export class ReadinessMetric {
  constructor(metrics: EventMetrics, readiness: Readiness) {
    metrics.gauge({
      name: 'kafka_events_ready',
      help: '1 when /health/ready answers 200 (rules loaded, Kafka answering where readiness requires it, delivery working), else 0.',
      collect() {
        this.set(readiness.ready ? 1 : 0);
      },
    });
  }
}
