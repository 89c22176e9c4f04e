import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, RunningService, postJson, send, startServiceIn } from './support/service.js';
import { countRecords, readTopic } from './support/topic-reader.js';

// CloudEvents in (the JSON format, on the webhook) and out (the Kafka binding's binary mode),
// checked with an independent consumer; in spool mode the headers survive the spool too.

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

const KYTOS_TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const DOOR_TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const door = (id: string, source: string) => ({
  specversion: '1.0',
  id,
  source,
  type: 'net.example.door.opened',
  time: '2026-11-26T10:00:00Z',
  subject: 'door-3',
  data: { door: 3 },
});

for (const mode of ['kafka', 'spool'] as const) {
  describe(`CloudEvents records, ${mode} mode`, () => {
    let service: RunningService;
    const topic = `cloudevents_${mode}`;

    before(async () => {
      service = await startServiceIn(mode, {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        FILTER_STORE: 'memory',
        FILTER_PRESETS: JSON.stringify([
          { pattern: 'kytos[./](.*)' },
          { pattern: 'net\\.example\\.door\\..*' },
          { pattern: 'net\\.example\\.door\\.forced', action: 'deny' },
        ]),
        KAFKA_RECORD_FORMAT: 'cloudevents',
        CLOUDEVENTS_SOURCE: 'https://kytos.example.net',
      });
    });

    after(async () => service?.close());

    it('writes Kytos events and posted CloudEvents as CloudEvents, value unchanged', async () => {
      const kytos = await postJson(service.url + EVENTS_PATH, {
        id: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01',
        name: 'kytos/topology.link_up',
        timestamp: '2026-11-26T09:59:59.5Z',
        content: { link: { id: 'l1' } },
        trace_parent: KYTOS_TRACE,
      });
      assert.ok(kytos.status < 300, JSON.stringify(kytos.body));
      const single = await postJson(
        service.url + EVENTS_PATH,
        { ...door('A-1', '/doors/east'), traceparent: DOOR_TRACE },
        'application/cloudevents+json',
      );
      assert.ok(single.status < 300, JSON.stringify(single.body));
      // The same id from another source is another event; from the same source, a duplicate.
      const batch = await send(
        service.url + EVENTS_PATH,
        'POST',
        JSON.stringify([
          door('A-1', '/doors/west'),
          door('A-1', '/doors/east'),
          { ...door('A-2', '/doors/west'), type: 'net.example.door.forced' },
        ]),
        'application/cloudevents-batch+json',
        { traceparent: DOOR_TRACE.replace('00f067aa0ba902b7', '1111111111111111') },
      );
      assert.equal(batch.body.duplicates, 1, JSON.stringify(batch.body));
      assert.equal(batch.body.filtered, 1, 'a deny rule applies to a CloudEvent as to any event');

      const records = await readTopic(broker.brokers, topic, 3);
      assert.equal(records.length, 3);
      assert.equal(await countRecords(broker.brokers, topic), 3, 'the denied one never left');
      const bySource = new Map(records.map((record) => [record.headers.ce_source, record]));

      const link = bySource.get('https://kytos.example.net');
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(link?.headers ?? {}).filter(([name]) => name.startsWith('ce_')),
        ),
        {
          ce_specversion: '1.0',
          ce_id: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01',
          ce_source: 'https://kytos.example.net',
          ce_type: 'kytos/topology.link_up',
          ce_time: '2026-11-26T09:59:59.5Z',
        },
      );
      assert.equal(link?.headers['content-type'], 'application/json');
      assert.equal(link?.headers.traceparent, KYTOS_TRACE);
      assert.deepEqual(JSON.parse(link?.value ?? ''), {
        event: 'kytos/topology.link_up',
        message: { link: { id: 'l1' } },
        id: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01',
        timestamp: '2026-11-26T09:59:59.5Z',
      });

      const east = bySource.get('/doors/east');
      assert.equal(east?.headers.ce_id, 'A-1');
      assert.equal(east?.headers.ce_type, 'net.example.door.opened');
      assert.equal(east?.headers.ce_subject, 'door-3');
      assert.equal(east?.headers.traceparent, DOOR_TRACE, "the event's own trace context");
      assert.deepEqual(JSON.parse(east?.value ?? ''), {
        event: 'net.example.door.opened',
        message: { door: 3 },
        id: 'A-1',
        timestamp: '2026-11-26T10:00:00Z',
      });
      const west = bySource.get('/doors/west');
      assert.match(west?.headers.traceparent ?? '', /-1111111111111111-/, "the request's trace");
    });

    it('refuses a CloudEvent it cannot carry with a 400 naming the attribute', async () => {
      const answer = await postJson(
        service.url + EVENTS_PATH,
        { ...door('B-1', '/doors'), data_base64: 'AAAA' },
        'application/cloudevents+json',
      );
      assert.equal(answer.status, 400);
      assert.match(String(answer.body.message), /data_base64 is not taken/);
    });
  });
}
