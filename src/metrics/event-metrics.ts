import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Registry,
} from 'prom-client';
import { EventNameCounts } from './event-name-counts.js';

/** Why events were not acknowledged to their sender (or, in spool mode, set aside). */
export type FailureReason =
  | 'not_ready'
  | 'too_large'
  | 'backpressure'
  | 'unavailable'
  | 'unauthorized'
  | 'rejected'
  | 'internal';

/**
 * The counters of an event's path, one registry per application (tests run several in one
 * process). Node's process metrics come with it. State that can simply be read (queue depth,
 * Kafka state, rules) is a gauge its owner registers with `gauge`, sampled at scrape time.
 */
@Injectable()
export class EventMetrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly received = new Counter({
    name: 'kafka_events_received_total',
    help: 'Valid events that arrived at the webhook.',
    registers: this.registers,
  });

  /** The received, permitted and published events again, by name. */
  readonly byName = new EventNameCounts(this.registry);

  readonly permitted = new Counter({
    name: 'kafka_events_permitted_total',
    help: 'Events a rule allowed to leave.',
    registers: this.registers,
  });

  readonly filtered = new Counter({
    name: 'kafka_events_filtered_total',
    help: 'Events no rule allowed (or a deny rule stopped); never published.',
    registers: this.registers,
  });

  readonly deadLetters = new Counter({
    name: 'kafka_events_dead_letters_total',
    help: 'Records Kafka refused for good, sent to KAFKA_DLQ_TOPIC with the reason (spool mode).',
    registers: this.registers,
  });

  readonly duplicates = new Counter({
    name: 'kafka_events_duplicates_total',
    help: 'Events whose id was published within DEDUPE_WINDOW_SECONDS on this instance; not published again.',
    registers: this.registers,
  });

  readonly published = new Counter({
    name: 'kafka_events_published_total',
    help: 'Events Kafka acknowledged.',
    registers: this.registers,
  });

  readonly failed = new Counter({
    name: 'kafka_events_failed_total',
    help: 'Events not acknowledged to their sender, or set aside as refused by Kafka, by reason.',
    labelNames: ['reason'] as const,
    registers: this.registers,
  });

  readonly retries = new Counter({
    name: 'kafka_events_publish_retries_total',
    help: 'Batches sent to Kafka again after a transient failure.',
    registers: this.registers,
  });

  readonly forwarderRestarts = new Counter({
    name: 'kafka_events_spool_forwarder_restarts_total',
    help: 'Times the spool forwarder failed (file system, unexpected errors) and was restarted.',
    registers: this.registers,
  });

  readonly ruleRecordsSkipped = new Counter({
    name: 'kafka_events_rule_records_skipped_total',
    help: 'Records of the rules topic that could not be applied (unreadable, or a pattern that does not compile) and were skipped.',
    registers: this.registers,
  });

  readonly publishSeconds = new Histogram({
    name: 'kafka_events_publish_duration_seconds',
    help: 'From handing a batch to Kafka to its acknowledgement (or final failure), retries included.',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: this.registers,
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge in this registry; its `collect` reads the owner's state when Prometheus scrapes. */
  gauge<Label extends string>(
    configuration: Omit<GaugeConfiguration<Label>, 'registers'>,
  ): Gauge<Label> {
    return new Gauge({ ...configuration, registers: this.registers });
  }

  /** A counter in this registry, counted by its owner or copied from its tallies by `collect`. */
  counter<Label extends string>(
    configuration: Omit<CounterConfiguration<Label>, 'registers'>,
  ): Counter<Label> {
    return new Counter({ ...configuration, registers: this.registers });
  }

  /** A histogram in this registry, observed by its owner. */
  histogram<Label extends string>(
    configuration: Omit<HistogramConfiguration<Label>, 'registers'>,
  ): Histogram<Label> {
    return new Histogram({ ...configuration, registers: this.registers });
  }
}
