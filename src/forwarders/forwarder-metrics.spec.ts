import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventMetrics } from '../metrics/index.js';
import { registerForwarderMetrics } from './forwarder-metrics.js';
import { ForwarderRegistry } from './forwarder-registry.js';

describe('forwarder metrics', () => {
  it('export each forwarder’s last report as counted, and silent as of the scrape', async () => {
    let now = 1_700_000_000_000;
    const registry = new ForwarderRegistry({ silentAfterMs: 1000, maxForwarders: 8 }, () => now);
    const metrics = new EventMetrics();
    registerForwarderMetrics(metrics, registry);
    registry.record('kytos-1', 'run-1', {
      forwarded: 40,
      droppedByCause: { queue_full: 3, too_large: 1 },
      queueDepth: 7,
      loopSeconds: 1.5,
      eventsSeen: 60,
    });
    registry.record('kytos-2', 'run-1', {
      forwarded: 2,
      droppedByCause: {},
      queueDepth: 0,
      loopSeconds: 0,
    });
    const first = forwarderLines(await metrics.registry.metrics());
    assert.deepEqual(first, [
      'kafka_events_forwarder_forwarded_total{forwarder="kytos-1"} 40',
      'kafka_events_forwarder_forwarded_total{forwarder="kytos-2"} 2',
      'kafka_events_forwarder_dropped_total{forwarder="kytos-1",cause="queue_full"} 3',
      'kafka_events_forwarder_dropped_total{forwarder="kytos-1",cause="too_large"} 1',
      'kafka_events_forwarder_loop_seconds_total{forwarder="kytos-1"} 1.5',
      'kafka_events_forwarder_loop_seconds_total{forwarder="kytos-2"} 0',
      'kafka_events_forwarder_events_seen_total{forwarder="kytos-1"} 60',
      'kafka_events_forwarder_queue_depth{forwarder="kytos-1"} 7',
      'kafka_events_forwarder_queue_depth{forwarder="kytos-2"} 0',
      'kafka_events_forwarder_last_report_timestamp_seconds{forwarder="kytos-1"} 1700000000',
      'kafka_events_forwarder_last_report_timestamp_seconds{forwarder="kytos-2"} 1700000000',
      'kafka_events_forwarder_silent{forwarder="kytos-1"} 0',
      'kafka_events_forwarder_silent{forwarder="kytos-2"} 0',
    ]);

    // A NApp that restarted reports from 0 again, in a new run: added to its first run's.
    now += 1500;
    registry.record('kytos-1', 'run-2', {
      forwarded: 1,
      droppedByCause: {},
      queueDepth: 0,
      loopSeconds: 0.1,
    });
    const second = forwarderLines(await metrics.registry.metrics());
    assert.ok(second.includes('kafka_events_forwarder_forwarded_total{forwarder="kytos-1"} 41'));
    assert.ok(
      second.includes(
        'kafka_events_forwarder_dropped_total{forwarder="kytos-1",cause="queue_full"} 3',
      ),
    );
    assert.ok(second.includes('kafka_events_forwarder_queue_depth{forwarder="kytos-1"} 0'));
    assert.ok(second.includes('kafka_events_forwarder_silent{forwarder="kytos-1"} 0'));
    assert.ok(second.includes('kafka_events_forwarder_silent{forwarder="kytos-2"} 1'));
  });
});

function forwarderLines(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('kafka_events_forwarder_'));
}
