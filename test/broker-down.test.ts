import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCRAPE_CACHE_MS } from '../src/metrics/metrics.controller.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { metricSample } from './support/metric-sample.js';
import {
  Answer,
  EVENTS_PATH,
  RunningService,
  postJson,
  send,
  startService,
  waitUntilReady,
} from './support/service.js';
import { countRecords, readTopic } from './support/topic-reader.js';

const topic = 'broker_down';
const DEADLINE_MS = 3000;
const REQUEST_TIMEOUT_MS = 2000;

function linkUp(): { name: string; id: string; content: Record<string, unknown> } {
  return { name: 'kytos/topology.link_up', id: randomUUID(), content: { link: { id: 'l1' } } };
}

async function timed(call: () => Promise<Answer>): Promise<{ answer: Answer; ms: number }> {
  const started = performance.now();
  const answer = await call();
  return { answer, ms: performance.now() - started };
}

/** Posts one new event until it is acknowledged, at most `limitMs`; returns the acknowledged ids. */
async function postUntilAcknowledged(service: RunningService, limitMs: number): Promise<string> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const event = linkUp();
    const answer = await postJson(service.url + EVENTS_PATH, event);
    if (answer.status === 200) return event.id;
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.ok(Date.now() < deadline, `no 200 within ${limitMs} ms of the broker's return`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function readyMetric(service: RunningService): Promise<number | undefined> {
  return metricSample(await (await fetch(`${service.url}/metrics`)).text(), 'kafka_events_ready');
}

function assertUnavailable(answer: Answer, ms: number): void {
  assert.equal(answer.status, 503, JSON.stringify(answer.body));
  assert.equal(answer.body.statusCode, 503);
  assert.match(String(answer.body.message), /Kafka is unavailable, nothing was acknowledged/);
  assert.equal(answer.headers.get('retry-after'), '5');
  // The retry deadline, plus one attempt that started just before it, plus slack for a busy machine.
  assert.ok(ms < DEADLINE_MS + REQUEST_TIMEOUT_MS + 3000, `503 came after ${Math.round(ms)} ms`);
}

describe('Kafka unreachable: 503 within the bounded retry time, then success once it is back', () => {
  let broker: KafkaBroker;
  let service: RunningService;
  const acknowledged: string[] = [];

  before(async () => {
    broker = await KafkaBroker.start();
    await broker.pause();
    service = await startService(
      {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        KAFKA_RETRY_DEADLINE_MS: String(DEADLINE_MS),
        KAFKA_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        KAFKA_CONNECTION_TIMEOUT_MS: '500',
        // Rules from config only: this test is about the publishing path with Kafka away from the start.
        FILTER_STORE: 'memory',
        KAFKA_CHECK_INTERVAL_MS: '300',
      },
      { waitUntilReady: false },
    );
  });

  after(async () => {
    await service?.close();
    await broker?.stop();
  });

  it('answers 503 with Retry-After while the broker has never been up for the service', async () => {
    const { answer, ms } = await timed(() => postJson(service.url + EVENTS_PATH, linkUp()));
    assertUnavailable(answer, ms);
    const ready = await send(`${service.url}/health/ready`, 'GET');
    assert.equal(ready.status, 503);
    assert.match(String(ready.body.message), /^not ready: kafka: /);
    assert.equal(await readyMetric(service), 0, 'kafka_events_ready says what the probe says');
  });

  it('publishes once the broker is up, and is ready again', async () => {
    await broker.resume();
    acknowledged.push(await postUntilAcknowledged(service, 30_000));
    await waitUntilReady(service.url, 10_000);
    // The metrics are rendered at most once a second: the next rendering sees it ready.
    await sleep(SCRAPE_CACHE_MS + 100);
    assert.equal(await readyMetric(service), 1);
  });

  it('answers 503 when the broker goes away mid-stream, and recovers when it returns', async () => {
    acknowledged.push(await postUntilAcknowledged(service, 5_000));
    await broker.pause();
    const { answer, ms } = await timed(() => postJson(service.url + EVENTS_PATH, linkUp()));
    assertUnavailable(answer, ms);
    await broker.resume();
    acknowledged.push(await postUntilAcknowledged(service, 30_000));
  });

  it('holds every acknowledged event in the topic', async () => {
    const records = await readTopic(
      broker.brokers,
      topic,
      await countRecords(broker.brokers, topic),
    );
    const ids = new Set(records.map((record) => record.headers['kytos-event-id']));
    for (const id of acknowledged)
      assert.ok(ids.has(id), `acknowledged event ${id} is in the topic`);
  });
});
