import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadGatewayException,
  BadRequestException,
  InternalServerErrorException,
  PayloadTooLargeException,
} from '@nestjs/common';
import kafkajs from 'kafkajs';
import { loadAppConfig } from '../config/app-config.js';
import { FilterService } from '../filters/index.js';
import { InMemoryRuleStore } from '../filters/rule-store.js';
import { RetryLaterException } from '../http/retry-later.exception.js';
import { KafkaFailure } from '../kafka/index.js';
import { BackpressureError, EventEnvelope, PublisherService } from '../publisher/index.js';
import { EventMetrics } from '../metrics/index.js';
import { IngestService } from './ingest.service.js';

/** A counter's value, per label set, as Prometheus would scrape it. */
async function counted(metrics: EventMetrics, name: string): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map(({ labels, value }) => [JSON.stringify(labels), value]),
  );
}

/** Stands in for Kafka: records what it was asked to publish, or fails as told. */
class FakePublisher {
  mode: 'kafka' | 'spool' = 'kafka';
  published: EventEnvelope[][] = [];
  failWith?: Error;
  publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.published.push([...envelopes]);
    return Promise.resolve();
  }
}

function setUp(env: Record<string, string> = {}): {
  ingest: IngestService;
  publisher: FakePublisher;
  metrics: EventMetrics;
} {
  const config = loadAppConfig({ AUTH_DISABLED: 'true', ...env });
  const publisher = new FakePublisher();
  const metrics = new EventMetrics();
  const ingest = new IngestService(
    config,
    new FilterService(config, new InMemoryRuleStore()),
    publisher as unknown as PublisherService,
    metrics,
  );
  return { ingest, publisher, metrics };
}

const linkUp = { name: 'kytos/topology.link_up', content: { link: 'l1' } };
const interruption = { name: 'topology.interruption.start', content: {} };

describe('IngestService', () => {
  it('counts received, permitted, filtered and failed events (by reason) in its metrics', async () => {
    const { ingest, publisher, metrics } = setUp();
    await ingest.ingest([linkUp, interruption, linkUp]);
    publisher.failWith = KafkaFailure.from(new kafkajs.KafkaJSConnectionError('ECONNREFUSED'));
    await assert.rejects(ingest.ingest([linkUp]));
    publisher.failWith = new BackpressureError('full');
    await assert.rejects(ingest.ingest([linkUp, linkUp]));
    assert.deepEqual(await counted(metrics, 'kafka_events_received_total'), { '{}': 6 });
    assert.deepEqual(await counted(metrics, 'kafka_events_permitted_total'), { '{}': 5 });
    assert.deepEqual(await counted(metrics, 'kafka_events_filtered_total'), { '{}': 1 });
    assert.deepEqual(await counted(metrics, 'kafka_events_failed_total'), {
      '{"reason":"unavailable"}': 1,
      '{"reason":"backpressure"}': 2,
    });
  });

  it('publishes the permitted events of a request in one call, in their order, and counts', async () => {
    const { ingest, publisher } = setUp();
    const second = { name: 'kytos/mef_eline.created', content: {} };
    const result = await ingest.ingest([linkUp, interruption, second]);
    assert.deepEqual(result, { status: 200, body: { accepted: 3, published: 2, filtered: 1 } });
    assert.deepEqual(
      publisher.published.map((batch) => batch.map((envelope) => envelope.name)),
      [['kytos/topology.link_up', 'kytos/mef_eline.created']],
    );
  });

  it('turns an unavailable Kafka into 503 with Retry-After', async () => {
    const { ingest, publisher } = setUp();
    publisher.failWith = KafkaFailure.from(new kafkajs.KafkaJSConnectionError('ECONNREFUSED'));
    await assert.rejects(ingest.ingest([linkUp]), (error: unknown) => {
      assert.ok(error instanceof RetryLaterException);
      assert.equal(error.retryAfterSeconds, 5);
      assert.match(error.message, /nothing was acknowledged: ECONNREFUSED/);
      return true;
    });
  });

  it('answers 202 with the spooled count in the spool delivery mode', async () => {
    const { ingest, publisher } = setUp();
    publisher.mode = 'spool';
    assert.deepEqual(await ingest.ingest([linkUp, interruption]), {
      status: 202,
      body: { accepted: 2, spooled: 1, filtered: 1 },
    });
  });

  it('turns a full queue or spool into 503 with a short Retry-After', async () => {
    const { ingest, publisher } = setUp();
    publisher.failWith = new BackpressureError('the spool is full');
    await assert.rejects(ingest.ingest([linkUp]), (error: unknown) => {
      assert.ok(error instanceof RetryLaterException);
      assert.equal(error.retryAfterSeconds, 1);
      return true;
    });
  });

  it("turns Kafka's refusal into 502, and a fault of this service into 500", async () => {
    const { ingest, publisher } = setUp();
    const tooLarge = Object.assign(new kafkajs.KafkaJSProtocolError('too large'), {
      type: 'MESSAGE_TOO_LARGE',
    });
    publisher.failWith = KafkaFailure.from(tooLarge);
    await assert.rejects(ingest.ingest([linkUp]), BadGatewayException);
    publisher.failWith = KafkaFailure.from(new TypeError('bug'));
    await assert.rejects(ingest.ingest([linkUp]), InternalServerErrorException);
  });

  it('publishes nothing of a request with one record over the size limit (413)', async () => {
    const { ingest, publisher } = setUp({ KAFKA_MAX_RECORD_BYTES: '2048' });
    const large = { name: 'kytos/x', content: { blob: 'x'.repeat(4096) } };
    await assert.rejects(ingest.ingest([linkUp, large]), PayloadTooLargeException);
    assert.deepEqual(publisher.published, []);
  });

  it('skips the size check and serialization for filtered events', async () => {
    const { ingest } = setUp({ KAFKA_MAX_RECORD_BYTES: '2048' });
    const largeButFiltered = { name: 'other/x', content: { blob: 'x'.repeat(4096) } };
    assert.deepEqual(await ingest.ingest([largeButFiltered]), {
      status: 200,
      body: { accepted: 1, published: 0, filtered: 1 },
    });
  });

  it('refuses content nested too deeply to serialize with 400 naming the event', async () => {
    const { ingest, publisher } = setUp();
    const deep = JSON.parse(`{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`) as Record<
      string,
      unknown
    >;
    await assert.rejects(
      ingest.ingest([linkUp, { name: 'kytos/deep', content: deep }]),
      (error: unknown) => {
        assert.ok(error instanceof BadRequestException);
        assert.match(error.message, /event 1 is invalid/);
        return true;
      },
    );
    assert.deepEqual(publisher.published, []);
  });
});
