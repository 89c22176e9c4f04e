import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signWebhook } from '../src/auth/webhook-signature.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, postJson, RunningService, send, startService } from './support/service.js';
import { spawnService } from './support/service-process.js';
import { countRecords } from './support/topic-reader.js';
import { metricSample } from './support/metric-sample.js';

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

describe('Prometheus metrics', () => {
  let service: RunningService;
  before(async () => {
    service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'metrics_events',
      FILTER_STORE: 'memory',
      KAFKA_CHECK_INTERVAL_MS: '500',
    });
  });
  after(async () => service?.close());

  it('counts the event path, Kafka state, rules and the process at /metrics', async () => {
    const answer = await postJson(service.url + EVENTS_PATH, [
      { name: 'kytos/topology.link_up', content: { link: 'l1' } },
      { name: 'kytos/mef_eline.created', content: { id: 'e1' } },
      { name: 'kytos/of_core.v0x04.messages.in.ofpt_echo_request', content: {} },
    ]);
    assert.equal(answer.status, 200);
    // Checked against Kafka itself, not only against what the service says it did.
    assert.equal(await countRecords(broker.brokers, 'metrics_events'), 2);

    const scrape = await fetch(`${service.url}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    assert.equal(metricSample(text, 'kafka_events_received_total'), 3);
    assert.equal(metricSample(text, 'kafka_events_permitted_total'), 2);
    assert.equal(metricSample(text, 'kafka_events_filtered_total'), 1);
    assert.equal(metricSample(text, 'kafka_events_published_total'), 2);
    assert.equal(
      metricSample(text, 'kafka_events_publish_duration_seconds_count{outcome="acknowledged"}'),
      1,
    );
    assert.equal(metricSample(text, 'kafka_events_queue_depth'), 0);
    assert.equal(metricSample(text, 'kafka_events_kafka_up'), 1);
    assert.equal(metricSample(text, 'kafka_events_rules{action="allow"}'), 1);
    assert.equal(metricSample(text, 'kafka_events_rules{action="deny"}'), 4);
    assert.ok((metricSample(text, 'process_resident_memory_bytes') ?? 0) > 0);
    assert.ok((metricSample(text, 'nodejs_eventloop_lag_p99_seconds') ?? -1) >= 0);
  });

  it('shows Kafka down and the refused events by reason once the broker is gone', async () => {
    const own = await startService(
      {
        KAFKA_BROKERS: '127.0.0.1:1',
        KAFKA_TOPIC: 'metrics_down',
        FILTER_STORE: 'memory',
        KAFKA_RETRY_DEADLINE_MS: '300',
        KAFKA_CHECK_INTERVAL_MS: '200',
      },
      { waitUntilReady: false },
    );
    try {
      const answer = await postJson(own.url + EVENTS_PATH, {
        name: 'kytos/topology.link_up',
        content: {},
      });
      assert.equal(answer.status, 503);
      const text = await (await fetch(`${own.url}/metrics`)).text();
      assert.equal(metricSample(text, 'kafka_events_failed_total{reason="unavailable"}'), 1);
      assert.equal(metricSample(text, 'kafka_events_published_total'), 0);
      assert.equal(metricSample(text, 'kafka_events_kafka_up'), 0);
      assert.ok((metricSample(text, 'kafka_events_publish_retries_total') ?? 0) >= 1);
    } finally {
      await own.close();
    }
  });
});

describe('structured logs', () => {
  const secret = 'webhook-secret-that-must-never-be-logged';
  const adminToken = 'admin-token-that-must-never-be-logged';

  it('writes one JSON object per line, with the request id, and never a secret or an event content', async () => {
    const service = await spawnService({
      AUTH_DISABLED: 'false',
      AUTH_WEBHOOK_SECRET: secret,
      AUTH_ADMIN_TOKEN: adminToken,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'logged_events',
      FILTER_STORE: 'memory',
      LOG_LEVEL: 'log',
    });
    try {
      const body = JSON.stringify({
        name: 'kytos/topology.link_up',
        content: { marker: 'content-that-must-not-be-logged' },
      });
      const unsigned = await send(service.url + EVENTS_PATH, 'POST', body, 'application/json', {
        'x-request-id': 'kytos-req-42',
        authorization: `Bearer ${adminToken}`,
      });
      assert.equal(unsigned.status, 401);
      assert.equal(unsigned.headers.get('x-request-id'), 'kytos-req-42');
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signed = await send(service.url + EVENTS_PATH, 'POST', body, 'application/json', {
        'x-kytos-timestamp': timestamp,
        'x-kytos-signature': signWebhook(secret, timestamp, body),
        'x-request-id': 'bad id with spaces',
      });
      assert.equal(signed.status, 200);
      assert.match(signed.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);

      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = service.output().trim().split('\n');
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const record of records) {
        assert.equal(typeof record.level, 'string');
        assert.equal(typeof record.timestamp, 'number');
        assert.ok('message' in record);
      }
      const refused = records.find((record) => record.requestId === 'kytos-req-42');
      assert.ok(refused, "the 401 is logged with the caller's request id");
      assert.equal(refused.status, 401);
      assert.equal(refused.path, EVENTS_PATH);
      const output = service.output();
      assert.ok(!output.includes(secret));
      assert.ok(!output.includes(adminToken));
      assert.ok(!output.includes('content-that-must-not-be-logged'));
    } finally {
      service.child.kill('SIGTERM');
      await new Promise((resolve) => service.child.once('exit', resolve));
    }
  });
});
