import { Ajv2020 } from 'ajv/dist/2020.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { metricSample } from './support/metric-sample.js';
import { repoRoot } from './support/repo-root.js';
import { EVENTS_PATH, postJson, type RunningService, startService } from './support/service.js';
import { readTopic } from './support/topic-reader.js';

/** What the real controller sent in the full-stack tests: one content per event name. */
const catalogue = JSON.parse(
  readFileSync(join(repoRoot, 'docs', 'kytos-event-catalogue.json'), 'utf8'),
) as { events: Record<string, { example: Record<string, unknown> }> };
const real = Object.entries(catalogue.events)
  .filter(([name]) => name.startsWith('kytos/'))
  .map(([name, { example }]) => ({ name, content: example }));
const linkUp = catalogue.events['kytos/topology.link_up'].example;
/** A link_up whose link lost a field every Kytos link has. */
const linkWithoutEnabled = { ...(linkUp.link as Record<string, unknown>), enabled: undefined };
const broken = { name: 'kytos/topology.link_up', content: { ...linkUp, link: linkWithoutEnabled } };
/** An event no family lists: never checked. */
const unknown = { name: 'kytos/of_lldp.loop.detected', content: { anything: 1 } };

/**
 * The committed asyncapi.json read as a consumer would (not through the service's code): an
 * ajv that knows the document, and the record schema it names.
 */
function recordValidator() {
  const document = JSON.parse(readFileSync(join(repoRoot, 'asyncapi.json'), 'utf8')) as object;
  const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
  ajv.addSchema({ ...document, $id: 'urn:consumer:asyncapi' });
  return ajv.compile({ $ref: 'urn:consumer:asyncapi#/components/schemas/EventRecord/schema' });
}

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

describe('EVENT_SCHEMA_VALIDATION against a real Kafka broker', () => {
  const services: RunningService[] = [];
  after(async () => Promise.all(services.map((service) => service.close())));

  async function serviceWith(mode: string) {
    const topic = `contract_${mode}`;
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      EVENT_SCHEMA_VALIDATION: mode,
    });
    services.push(service);
    return { service, topic };
  }

  async function mismatchesCounted(service: RunningService): Promise<number | undefined> {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    return metricSample(
      metrics,
      'kafka_events_schema_mismatches_total{event="kytos/topology.link_up"}',
    );
  }

  it('off: publishes a mismatching event and counts nothing', async () => {
    const { service, topic } = await serviceWith('off');
    const answer = await postJson(service.url + EVENTS_PATH, [broken, unknown]);
    assert.equal(answer.status, 200);
    const records = await readTopic(broker.brokers, topic, 2);
    assert.deepEqual(
      records.map((record) => record.headers['kytos-event-name']).sort(),
      [broken.name, unknown.name].sort(),
    );
    assert.equal(await mismatchesCounted(service), undefined);
  });

  it('warn: publishes it and counts it by event name', async () => {
    const { service, topic } = await serviceWith('warn');
    const answer = await postJson(service.url + EVENTS_PATH, [broken, unknown, broken]);
    assert.equal(answer.status, 200);
    assert.equal((answer.body as { published: number }).published, 3);
    const records = await readTopic(broker.brokers, topic, 3);
    assert.equal(records.length, 3);
    assert.equal(await mismatchesCounted(service), 2);
  });

  it('enforce: refuses the request naming the event and the schema path; nothing reaches Kafka', async () => {
    const { service, topic } = await serviceWith('enforce');
    const good = { name: 'kytos/topology.link_up', content: linkUp, id: randomUUID() };
    const answer = await postJson(service.url + EVENTS_PATH, [good, unknown, broken]);
    assert.equal(answer.status, 400);
    const body = answer.body as { message: string; details: unknown[] };
    assert.match(body.message, /^event 2 \(kytos\/topology\.link_up\) does not match/);
    assert.deepEqual(body.details, [
      {
        index: 2,
        field: 'content/link',
        reason:
          "must have required property 'enabled' (schema LinkStatusEvent#/properties/link/required)",
      },
    ]);
    assert.equal(await mismatchesCounted(service), 1);

    // A conforming event after it is the first and only record: nothing of the refused request left.
    const marker = { ...good, id: randomUUID() };
    assert.equal((await postJson(service.url + EVENTS_PATH, [marker])).status, 200);
    const records = await readTopic(broker.brokers, topic, 2, 5_000);
    assert.deepEqual(
      records.map((record) => record.headers['kytos-event-id']),
      [marker.id],
    );
  });

  it('enforce: publishes every content the real controller sent, each record conforming to asyncapi.json', async () => {
    const { service, topic } = await serviceWith('enforce');
    const answer = await postJson(service.url + EVENTS_PATH, real);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const published = (answer.body as { published: number }).published;
    assert.ok(published >= 30, `${published} published`);
    const records = await readTopic(broker.brokers, topic, published);
    assert.equal(records.length, published);
    const validate = recordValidator();
    for (const record of records) {
      assert.ok(validate(JSON.parse(record.value)), JSON.stringify(validate.errors));
    }
    // The consumer's validator is not a rubber stamp: the refused content fails it too.
    assert.equal(
      validate({ event: broken.name, message: broken.content, id: randomUUID(), timestamp: 'now' }),
      false,
    );
  });
});
