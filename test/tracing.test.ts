import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { EVENTS_PATH, RunningService, postJson, startServiceIn } from './support/service.js';
import { readTopic } from './support/topic-reader.js';

// A Kytos event's trace continued: the service's producer span reaches a real OTLP/HTTP endpoint
// (a loopback receiver) and the record in Kafka, read by an independent consumer, names that span.

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

const KYTOS_TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('traces continued into Kafka', () => {
  const receiver = new OtlpReceiver();
  const topic = 'traced_events';
  let service: RunningService | undefined;

  before(async () => {
    service = await startServiceIn('kafka', {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      FILTER_STORE: 'memory',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: await receiver.start(),
    });
  });
  after(async () => {
    await service?.close();
    await receiver.stop();
  });

  it("writes the service's span as the record's traceparent and exports that span", async () => {
    const answer = await postJson(service!.url + EVENTS_PATH, [
      { name: 'kytos/topology.link_up', content: { link: 'l1' }, trace_parent: KYTOS_TRACE },
      { name: 'kytos/topology.link_down', content: { link: 'l2' } },
    ]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const records = await readTopic(broker.brokers, topic, 2);
    const traced = records.find((record) => record.headers['kytos-event-name'].endsWith('link_up'));
    const untraced = records.find((record) => record.headers['kytos-event-name'].endsWith('down'));
    assert.equal(untraced?.headers.traceparent, undefined, 'no trace context: none invented');
    const [version, traceId, spanId, flags] = (traced?.headers.traceparent ?? '').split('-');
    assert.deepEqual([version, traceId, flags], ['00', '0af7651916cd43dd8448eb211c80319c', '01']);
    assert.notEqual(spanId, 'b7ad6b7169203331', "the record's parent is the service's span");

    // Stopping the service sends the spans still batched.
    await service?.close();
    service = undefined;
    const span = receiver.spans.find((exported) => exported.spanId === spanId);
    assert.ok(span, `span ${spanId} exported (got ${receiver.spans.map((s) => s.spanId).join()})`);
    assert.equal(span.traceId, traceId);
    assert.equal(span.parentSpanId, 'b7ad6b7169203331', "child of Kytos' span");
    assert.equal(span.name, `send ${topic}`);
    assert.deepEqual(receiver.serviceNames, ['kafka-events']);
  });
});

describe('a trace collector that never answers', () => {
  it('costs the events nothing, and the shutdown at most its flush bound', async () => {
    // Takes connections and never answers: the worst a collector can do.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const topic = 'traced_silent_collector';
    const service = await startServiceIn('spool', {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      FILTER_STORE: 'memory',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
    });
    try {
      const events = Array.from({ length: 50 }, (_, i) => ({
        name: 'kytos/topology.link_up',
        content: { i },
        trace_parent: KYTOS_TRACE,
      }));
      const answer = await postJson(service.url + EVENTS_PATH, events);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      assert.equal((await readTopic(broker.brokers, topic, 50)).length, 50);
    } finally {
      const started = Date.now();
      await service.close();
      const took = Date.now() - started;
      for (const socket of sockets) socket.destroy();
      silent.close();
      assert.ok(took < 8_000, `the shutdown took ${took} ms`);
    }
  });
});
