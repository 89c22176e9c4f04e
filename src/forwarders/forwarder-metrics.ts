import type { EventMetrics } from '../metrics/index.js';
import type { ForwarderRegistry, ForwarderState } from './forwarder-registry.js';

/**
 * The forwarders' reports as Prometheus series, read at scrape time: each counter is the NApp's
 * own, added up over its runs (see ForwarderRegistry), so it never goes down while the service
 * runs.
 */
export function registerForwarderMetrics(metrics: EventMetrics, registry: ForwarderRegistry): void {
  const counter = (
    name: string,
    help: string,
    valueOf: (state: ForwarderState) => number | undefined,
  ) =>
    metrics.counter({
      name,
      help,
      labelNames: ['forwarder'] as const,
      collect() {
        this.reset();
        for (const state of registry.states()) {
          const value = valueOf(state);
          if (value !== undefined) this.inc({ forwarder: state.id }, value);
        }
      },
    });
  const gauge = (name: string, help: string, valueOf: (state: ForwarderState) => number) =>
    metrics.gauge({
      name,
      help,
      labelNames: ['forwarder'] as const,
      collect() {
        this.reset();
        for (const state of registry.states()) this.set({ forwarder: state.id }, valueOf(state));
      },
    });

  counter(
    'kafka_events_forwarder_forwarded_total',
    'Events each forwarder (Kytos NApp) delivered to the service (2xx), over its runs.',
    (state) => state.counters.forwarded,
  );
  metrics.counter({
    name: 'kafka_events_forwarder_dropped_total',
    help: 'Events each forwarder (Kytos NApp) dropped, by cause, over its runs.',
    labelNames: ['forwarder', 'cause'] as const,
    collect() {
      this.reset();
      for (const { id, counters } of registry.states()) {
        for (const [cause, count] of Object.entries(counters.droppedByCause)) {
          this.inc({ forwarder: id, cause }, count);
        }
      }
    },
  });
  counter(
    'kafka_events_forwarder_loop_seconds_total',
    "Seconds each forwarder's listener took on Kytos' event loop, over its runs.",
    (state) => state.counters.loopSeconds,
  );
  counter(
    'kafka_events_forwarder_events_seen_total',
    "Events Kytos handed each forwarder's listener, over its runs.",
    (state) => state.counters.eventsSeen,
  );
  counter(
    'kafka_events_forwarder_filtered_locally_total',
    "Events each forwarder did not send because the service's preset rules deny them, over its runs.",
    (state) => state.counters.filteredLocally,
  );
  gauge(
    'kafka_events_forwarder_queue_depth',
    'Events waiting in each forwarder, as it last reported.',
    (state) => state.counters.queueDepth,
  );
  gauge(
    'kafka_events_forwarder_last_report_timestamp_seconds',
    "When each forwarder's last report arrived (Unix seconds).",
    (state) => state.lastReportMs / 1000,
  );
  gauge(
    'kafka_events_forwarder_silent',
    'Whether each forwarder sent no report for longer than FORWARDER_SILENT_AFTER_MS (1) or did (0): a silent one has a stuck or stopped kytosd, or cannot reach the service.',
    (state) => (state.silent ? 1 : 0),
  );
}
