import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { FilterService } from '../filters/index.js';
import { KafkaConnectivity } from '../kafka/index.js';
import { PublisherService } from '../publisher/index.js';
import { EventMetrics } from './event-metrics.js';

/** Gauges read from the services' own state when Prometheus scrapes, so they cannot drift. */
@Injectable()
export class StateGauges {
  constructor(
    metrics: EventMetrics,
    publisher: PublisherService,
    connectivity: KafkaConnectivity,
    filters: FilterService,
  ) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'kafka_events_queue_depth',
      help: 'Events waiting in memory for a Kafka acknowledgement (kafka delivery mode).',
      registers,
      collect() {
        this.set(publisher.queuedEvents);
      },
    });
    new Gauge({
      name: 'kafka_events_spool_bytes',
      help: 'Bytes in local spool segments not yet forwarded and deleted (spool delivery mode).',
      registers,
      collect() {
        this.set(publisher.spooledBytes);
      },
    });
    new Gauge({
      name: 'kafka_events_spool_forwarder_up',
      help: '1 while the spool forwarder runs, 0 while it waits to restart after a failure (spool mode).',
      registers,
      collect() {
        this.set(publisher.forwarderState.status === 'restarting' ? 0 : 1);
      },
    });
    new Gauge({
      name: 'kafka_events_kafka_up',
      help: '1 when the last background check reached Kafka with this service credentials, else 0.',
      registers,
      collect() {
        this.set(connectivity.state.status === 'up' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'kafka_events_rules',
      help: 'Permission rules in force, presets included, by action.',
      labelNames: ['action'] as const,
      registers,
      collect() {
        const rules = filters.list();
        for (const action of ['allow', 'deny'] as const) {
          this.set({ action }, rules.filter((rule) => rule.action === action).length);
        }
      },
    });
  }
}
