import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { randomBytes } from 'node:crypto';
import {
  BackpressureError,
  KafkaFailure,
  kafkaSettings,
  RecordFit,
  useCompression,
} from '../kafka/index.js';
import { publisherSettings, Delivery, DeliveryReceipt, EventEnvelope } from '../publisher/index.js';
import { ingestSettings } from './ingest.settings.js';
import { FilterRule, FilterService, filterSettings, InMemoryRuleStore } from '../filters/index.js';
import type { TopicAdmin, TopicLimits } from '../kafka/index.js';
import { parseJsonExact } from '../json/index.js';
import { EventMetrics } from '../metrics/index.js';
import { contractSettings, EventContentCheck } from '../contract/index.js';
import { EventTooLargeError, InvalidEventError } from './ingest-errors.js';
import { IngestService } from './ingest.service.js';
import type { KytosEvent } from './kytos-event.js';
import { EventTracer, tracingSettings } from '../tracing/index.js';

/** A counter's value, per label set, as Prometheus would scrape it. */
async function counted(metrics: EventMetrics, name: string): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map(({ labels, value }) => [JSON.stringify(labels), value]),
  );
}

/** Stands in for Kafka: records what it was asked to deliver, or fails as told. */
class FakeDelivery extends Delivery {
  readonly mode = 'kafka';
  readonly problem = undefined;
  published: EventEnvelope[][] = [];
  failWith?: Error;

  publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.published.push([...envelopes]);
    return Promise.resolve();
  }

  tooLarge(): undefined {
    return undefined;
  }

  receipt({
    accepted,
    delivered,
    filtered,
    duplicates,
  }: Parameters<Delivery['receipt']>[0]): DeliveryReceipt {
    return { status: 200, body: { accepted, published: delivered, filtered, duplicates } };
  }
}

/** Stands in for the broker's max.message.bytes of every topic. */
class FixedTopicLimits {
  constructor(private readonly limit: number) {}
  known(): number {
    return this.limit;
  }
  of(): Promise<number> {
    return Promise.resolve(this.limit);
  }
}

function setUp(
  env: Record<string, string> = {},
  rules = new InMemoryRuleStore(),
  topicLimit = 1_048_588,
  compression = 0,
) {
  const kafka = kafkaSettings.parse(env);
  const delivery = new FakeDelivery();
  const metrics = new EventMetrics();
  const fit = new RecordFit(
    new FixedTopicLimits(topicLimit) as unknown as TopicLimits,
    { acks: -1, compression, timeout: 5000 },
    kafka,
  );
  const service = new IngestService(
    ingestSettings.parse(env),
    publisherSettings.parse(env),
    kafka,
    new FilterService(filterSettings.parse(env), kafka, rules, {} as TopicAdmin),
    delivery,
    metrics,
    new EventTracer(tracingSettings.parse(env)),
    fit,
    new EventContentCheck(contractSettings.parse(env), metrics),
  );
  const ingest = (events: KytosEvent[]) => service.ingest({ events });
  return { ingest, publisher: delivery, metrics };
}

const linkUp = { name: 'kytos/topology.link_up', content: { link: 'l1' } };
const interruption = { name: 'topology.interruption.start', content: {} };

describe('IngestService', () => {
  it("answers a retry's events as duplicates and publishes them once; a failed request's are not remembered", async () => {
    const { ingest, publisher, metrics } = setUp();
    const first = { ...linkUp, id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' };
    const second = { ...linkUp, id: '6fa459ea-ee8a-4ca4-894e-db77e160355e' };
    publisher.failWith = new BackpressureError('full');
    await assert.rejects(ingest([first]));
    publisher.failWith = undefined;
    assert.deepEqual((await ingest([first, first])).body, {
      accepted: 2,
      published: 1,
      filtered: 0,
      duplicates: 1,
    });
    assert.deepEqual((await ingest([first, second, interruption])).body, {
      accepted: 3,
      published: 1,
      filtered: 1,
      duplicates: 1,
    });
    assert.deepEqual(
      publisher.published.flat().map((envelope) => envelope.id),
      [first.id, second.id],
    );
    assert.deepEqual(await counted(metrics, 'kafka_events_duplicates_total'), { '{}': 2 });
    const off = setUp({ DEDUPE_WINDOW_SECONDS: '0' });
    await off.ingest([first]);
    assert.equal((await off.ingest([first])).body.duplicates, 0, 'DEDUPE_WINDOW_SECONDS=0: off');
  });

  it("sends an event to its rule's topic, keyed by what the rule's JSON Pointer finds", async () => {
    const rules = new InMemoryRuleStore();
    await rules.add(
      FilterRule.create('kytos/topology\\.switch', '', true, 'allow', {
        topic: 'kytos.switches',
        key: '/content/switch/dpid',
      }),
    );
    const { ingest, publisher } = setUp({ KAFKA_RECORD_KEY: 'id' }, rules);
    const exact = await parseJsonExact('{"switch":{"dpid":18446744073709551615}}');
    await ingest([
      { name: 'kytos/topology.switch.enabled', content: { switch: { dpid: '00:00:00:01' } } },
      { name: 'kytos/topology.switch.new', content: exact.value as Record<string, unknown> },
      { name: 'kytos/topology.switch.gone', content: { switch: { dpid: { nested: true } } } },
      { name: 'kytos/topology.link_up', content: {}, id: 'link-event' },
    ]);
    assert.deepEqual(
      publisher.published[0]?.map(({ topic, key }) => ({ topic, key })),
      [
        { topic: 'kytos.switches', key: '00:00:00:01' },
        { topic: 'kytos.switches', key: '18446744073709551615' },
        { topic: 'kytos.switches', key: 'kytos/topology.switch.gone' },
        { topic: 'event_logs', key: 'link-event' },
      ],
    );
  });

  it('counts received, permitted, filtered and failed events (by reason) in its metrics', async () => {
    const { ingest, publisher, metrics } = setUp();
    await ingest([linkUp, interruption, linkUp]);
    publisher.failWith = KafkaFailure.from(new kafkajs.KafkaJSConnectionError('ECONNREFUSED'));
    await assert.rejects(ingest([linkUp]));
    publisher.failWith = new BackpressureError('full');
    await assert.rejects(ingest([linkUp, linkUp]));
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
    const result = await ingest([linkUp, interruption, second]);
    assert.deepEqual(result, {
      status: 200,
      body: { accepted: 3, published: 2, filtered: 1, duplicates: 0 },
    });
    assert.deepEqual(
      publisher.published.map((batch) => batch.map((envelope) => envelope.name)),
      [['kytos/topology.link_up', 'kytos/mef_eline.created']],
    );
  });

  it("passes the delivery's failures on as they are, and takes nothing", async () => {
    const { ingest, publisher } = setUp();
    const unavailable = KafkaFailure.from(new kafkajs.KafkaJSConnectionError('ECONNREFUSED'));
    publisher.failWith = unavailable;
    await assert.rejects(ingest([linkUp]), (error) => error === unavailable);
    publisher.failWith = new BackpressureError('the spool is full');
    await assert.rejects(ingest([linkUp]), BackpressureError);
    assert.deepEqual(publisher.published, []);
  });

  it('publishes nothing of a request with one record over the size limit', async () => {
    const { ingest, publisher } = setUp({ KAFKA_MAX_RECORD_BYTES: '2048' });
    const large = { name: 'kytos/x', content: { blob: 'x'.repeat(4096) } };
    await assert.rejects(ingest([linkUp, large]), EventTooLargeError);
    assert.deepEqual(publisher.published, []);
  });

  it('skips the size check and serialization for filtered events', async () => {
    const { ingest } = setUp({ KAFKA_MAX_RECORD_BYTES: '2048' });
    const largeButFiltered = { name: 'other/x', content: { blob: 'x'.repeat(4096) } };
    assert.deepEqual(await ingest([largeButFiltered]), {
      status: 200,
      body: { accepted: 1, published: 0, filtered: 1, duplicates: 0 },
    });
  });

  it('refuses content nested too deeply to serialize, naming the event', async () => {
    const { ingest, publisher } = setUp();
    const deep = JSON.parse(`{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`) as Record<
      string,
      unknown
    >;
    await assert.rejects(
      ingest([linkUp, { name: 'kytos/deep', content: deep }]),
      (error: unknown) => {
        assert.ok(error instanceof InvalidEventError);
        assert.match(error.message, /event 1 is invalid/);
        assert.deepEqual(error.problems, [
          { index: 1, field: 'content', reason: 'is nested too deeply to serialize' },
        ]);
        return true;
      },
    );
    assert.deepEqual(publisher.published, []);
  });

  it("refuses with 413 a record whose compressed batch exceeds its topic's limit, and takes one that compresses under it", async () => {
    const gzip = await useCompression('gzip');
    const { ingest, publisher } = setUp({}, new InMemoryRuleStore(), 20_000, gzip);
    const compressible = { name: 'kytos/big', content: { flows: 'x'.repeat(100_000) } };
    await ingest([compressible]);
    assert.equal(publisher.published.length, 1, 'the compressible record is taken');
    const noise = { name: 'kytos/big', content: { blob: randomBytes(30_000).toString('base64') } };
    await assert.rejects(ingest([linkUp, noise]), (error: unknown) => {
      assert.ok(error instanceof EventTooLargeError);
      assert.match(
        error.message,
        /^event 1 is \d+ bytes as a Kafka record batch \(\d+ uncompressed, KAFKA_COMPRESSION=gzip\); Kafka takes at most 20000 for topic event_logs \(its max.message.bytes, and the brokers' socket.request.max.bytes less a produce request's own bytes\)$/,
      );
      assert.deepEqual(error.problems, [
        { index: 1, field: 'content', reason: 'too large for its topic' },
      ]);
      return true;
    });
    assert.equal(publisher.published.length, 1, 'nothing of the refused request was published');
  });
});
