import { Ajv2020 } from 'ajv/dist/2020.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { reportBound } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { metricSample } from './support/metric-sample.js';
import { rssMiB } from './support/process-usage.js';
import { repoRoot } from './support/repo-root.js';
import {
  type Answer,
  EVENTS_PATH,
  postJson,
  type RunningService,
  send,
  startService,
} from './support/service.js';
import { type ServiceProcess, spawnService } from './support/service-process.js';
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

/** The bounds docs/records.md states for a content check under enforce, whatever is posted. */
const LIVENESS_BOUND_MS = 1_000;
const ANSWER_BOUND_MS = 5_000;
const RSS_GROWTH_BOUND_MIB = 150;

describe('EVENT_SCHEMA_VALIDATION=enforce against the contents the audit posted (#33)', () => {
  const topic = 'contract_audit';
  let service: ServiceProcess;
  before(async () => {
    service = await spawnService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      KAFKA_TOPIC_PARTITIONS: '1',
      FILTER_STORE: 'memory',
      EVENT_SCHEMA_VALIDATION: 'enforce',
    });
  });
  after(async () => {
    service?.child.kill('SIGTERM');
    if (service && service.child.exitCode === null) await once(service.child, 'exit');
  });

  interface Watched {
    answer: Answer;
    answeredMs: number;
    slowestLiveMs: number;
    rssGrowthMiB: number;
  }

  /**
   * Sends the request while `/health/live` is asked every 50 ms and the service's RSS read at
   * each answer; the body is built beforehand, so that this process only waits meanwhile.
   */
  async function watched(request: () => Promise<Answer>): Promise<Watched> {
    const pid = service.child.pid!;
    const rssBefore = rssMiB(pid);
    let rssPeak = rssBefore;
    let slowestLiveMs = 0;
    let done = false;
    const probing = (async () => {
      for (let probe = 0; !done && probe < 2_000; probe++) {
        const started = performance.now();
        const live = await fetch(`${service.url}/health/live`, {
          signal: AbortSignal.timeout(30_000),
        });
        await live.arrayBuffer();
        slowestLiveMs = Math.max(slowestLiveMs, performance.now() - started);
        rssPeak = Math.max(rssPeak, rssMiB(pid));
        await sleep(50);
      }
    })();
    const started = performance.now();
    let answer: Answer;
    let answeredMs: number;
    try {
      answer = await request();
      answeredMs = performance.now() - started;
      // A probe or two more after the answer: the work may outlast it.
      await sleep(100);
    } finally {
      done = true;
      await probing;
    }
    return { answer, answeredMs, slowestLiveMs, rssGrowthMiB: rssPeak - rssBefore };
  }

  /**
   * Asserts the bounds and reports them. With `unchecked`, the same body under a name no family
   * lists: parsing and serializing several MiB stall the loop on a busy machine whether checked
   * or not, and the check's own bound is then on what it adds to that.
   */
  function assertBounded(attack: string, watch: Watched, unchecked?: Watched): void {
    const { answeredMs, slowestLiveMs, rssGrowthMiB } = watch;
    const liveBoundMs = LIVENESS_BOUND_MS + (unchecked?.slowestLiveMs ?? 0);
    const answerBoundMs = ANSWER_BOUND_MS + (unchecked?.answeredMs ?? 0);
    const beside = (figure: number | undefined, unit: string) =>
      figure === undefined ? '' : ` (${Math.round(figure)} ${unit} unchecked)`;
    reportBound({
      attack,
      bound: `liveness < ${LIVENESS_BOUND_MS} ms${unchecked ? ' more than unchecked' : ''}, answer < ${ANSWER_BOUND_MS / 1000} s${unchecked ? ' more' : ''}, RSS growth < ${RSS_GROWTH_BOUND_MIB} MiB`,
      measured: `liveness ${Math.round(slowestLiveMs)} ms${beside(unchecked?.slowestLiveMs, 'ms')}, answered ${watch.answer.status} in ${Math.round(answeredMs)} ms${beside(unchecked?.answeredMs, 'ms')}, RSS +${Math.round(rssGrowthMiB)} MiB`,
    });
    assert.ok(slowestLiveMs < liveBoundMs, `liveness answered in ${slowestLiveMs} ms`);
    assert.ok(answeredMs < answerBoundMs, `answered in ${answeredMs} ms`);
    assert.ok(rssGrowthMiB < RSS_GROWTH_BOUND_MIB, `RSS grew ${rssGrowthMiB} MiB`);
  }

  /** of_core's flow statistics in the catalogue's shape, as JSON text: each flow a 64-bit cookie. */
  function flowStatsOf(count: number): string {
    const { example } = catalogue.events['kytos/of_core.flow_stats.received'];
    const [flow] = example.replies_flows as Record<string, unknown>[];
    const flows = Array.from({ length: count }, (_, index) =>
      JSON.stringify({ ...flow, id: `flow-${index}`, cookie: 0 }).replace(
        '"cookie":0',
        `"cookie":${12_321_848_580_485_677_057n + BigInt(index)}`,
      ),
    );
    return `{"switch":${JSON.stringify(example.switch)},"replies_flows":[${flows.join(',')}]}`;
  }

  /** of_lldp's liveness with 330,000 interfaces that are empty objects (990 KB of JSON). */
  const emptyInterfaces = `{"name":"kytos/of_lldp.liveness.enabled","content":{"interfaces":[${'{},'.repeat(329_999)}{}]}}`;
  const refusal = {
    index: 0,
    field: 'content/interfaces/0',
    reason:
      "must have required property 'id' (schema LivenessEvent#/properties/interfaces/items/required)",
  };

  it('refuses 330,000 empty interfaces at the first, liveness answering meanwhile', async () => {
    const watch = await watched(() => postJson(service.url + EVENTS_PATH, emptyInterfaces));
    assert.equal(watch.answer.status, 400);
    assert.deepEqual(watch.answer.body.details, [refusal]);
    assertBounded('330,000 empty interfaces in one event (990 KB), enforce', watch);
  });

  it('refuses the same gzipped to about 1 KB alike', async () => {
    const body = gzipSync(emptyInterfaces, { level: 9 });
    const watch = await watched(() =>
      send(service.url + EVENTS_PATH, 'POST', body, 'application/json', {
        'content-encoding': 'gzip',
      }),
    );
    assert.equal(watch.answer.status, 400);
    assert.deepEqual(watch.answer.body.details, [refusal]);
    assertBounded(
      `330,000 empty interfaces in one event, gzipped to ${body.length.toLocaleString('en')} bytes, enforce`,
      watch,
    );
  });

  it('publishes 20,000 flows with 64-bit cookies, each cookie read back from Kafka digit for digit', async () => {
    const name = 'kytos/of_core.flow_stats.received';
    const content = flowStatsOf(20_000);
    const id = randomUUID();
    const body = `{"name":"${name}","id":"${id}","content":${content}}`;
    // Once first, unmeasured: what runs once per process (compiling hot code) is not per request.
    const warmUp = await postJson(service.url + EVENTS_PATH, body.replace(id, randomUUID()));
    assert.equal(warmUp.status, 200, JSON.stringify(warmUp.body));
    const watch = await watched(() => postJson(service.url + EVENTS_PATH, body));
    assert.equal(watch.answer.status, 200, JSON.stringify(watch.answer.body));
    const unchecked = await watched(() =>
      postJson(
        service.url + EVENTS_PATH,
        body.replace(name, 'kytos/of_core.flow_stats.unlisted').replace(id, randomUUID()),
      ),
    );
    assert.equal(unchecked.answer.status, 200, JSON.stringify(unchecked.answer.body));
    assertBounded(
      `flow statistics of 20,000 flows with 64-bit cookies (${(body.length / 2 ** 20).toFixed(1)} MiB), enforce`,
      watch,
      unchecked,
    );

    const records = await readTopic(broker.brokers, topic, 3, 60_000);
    const record = records.find((candidate) => candidate.headers['kytos-event-id'] === id);
    assert.ok(record, 'the checked event is in the topic');
    const cookies = (text: string) =>
      [...text.matchAll(/"cookie":(\d+)/g)].map(([, digits]) => digits);
    const sent = cookies(content);
    assert.equal(sent.length, 20_000);
    assert.ok(
      sent.every((digits) => BigInt(digits) > 2n ** 53n),
      'every cookie is 64-bit',
    );
    assert.deepEqual(cookies(record.value), sent);
  });
});
