import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { chaosSeconds, reportChaos } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { KafkaFaultProxy, startProxiedBroker } from './support/kafka-fault-proxy.js';
import { makeServiceReadLimit, setMaxMessageBytes } from './support/topic-limit.js';
import {
  EVENTS_PATH,
  FILTERS_PATH,
  postJson,
  type RunningService,
  startServiceIn,
} from './support/service.js';
import { idCounts, lossAndDuplicates, readTopic } from './support/topic-reader.js';

const { Kafka, logLevel } = kafkajs;

/** Seconds of traffic per scenario: CHAOS_SECONDS (npm run chaos) or a bounded CI default. */
const seconds = chaosSeconds(6);

let broker: KafkaBroker;
let proxy: KafkaFaultProxy;

/**
 * A broker that never creates a topic on its own (as in production), with a second listener
 * advertising a proxy that can swallow every request; the test's reader uses the plain one.
 */
before(async () => {
  ({ broker, proxy } = await startProxiedBroker(7, ['auto.create.topics.enable=false']));
});
after(async () => {
  await proxy?.close();
  await broker?.stop();
});

async function withAdmin<T>(work: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({
    brokers: [broker.brokers],
    clientId: 'isolation-test',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** A topic of one partition whose records may be at most `maxBytes` (max.message.bytes). */
function createTopic(topic: string, maxBytes?: number): Promise<boolean> {
  return withAdmin((admin) =>
    admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries:
            maxBytes === undefined ? [] : [{ name: 'max.message.bytes', value: String(maxBytes) }],
        },
      ],
      waitForLeaders: true,
    }),
  );
}

async function addRule(service: RunningService, rule: Record<string, string>): Promise<void> {
  const answer = await postJson(service.url + FILTERS_PATH, rule);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
}

interface Sent {
  acknowledged: string[];
  /** Events refused for good (4xx, 5xx other than 503). */
  refused: string[];
  statuses: Record<string, number>;
  slowestMs: number;
}

/** `workers` senders posting single events from `eventOf` for `maxMs`, or until `enough`. */
async function sendWhile(
  url: string,
  workers: number,
  eventOf: () => { name: string; id: string; content: object },
  maxMs: number,
  enough: (sent: Sent) => boolean = () => false,
): Promise<Sent> {
  const sent: Sent = { acknowledged: [], refused: [], statuses: {}, slowestMs: 0 };
  const deadline = Date.now() + maxMs;
  const worker = async () => {
    while (!enough(sent) && Date.now() < deadline) {
      const event = eventOf();
      const started = performance.now();
      let status = 'error';
      try {
        status = String((await postJson(url + EVENTS_PATH, event)).status);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      sent.slowestMs = Math.max(sent.slowestMs, performance.now() - started);
      sent.statuses[status] = (sent.statuses[status] ?? 0) + 1;
      if (status === '200' || status === '202') sent.acknowledged.push(event.id);
      else if (status !== '503' && status !== 'error') sent.refused.push(event.id);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return sent;
}

const small = (name: string) => () => ({
  name,
  id: randomUUID(),
  content: { link: { id: 'l1' } },
});

/** Content that no codec shrinks: base64 of random bytes. */
const incompressible = (bytes: number) => randomBytes((bytes * 3) / 4).toString('base64');

async function lossOf(topic: string, acknowledged: string[]) {
  return lossAndDuplicates(
    acknowledged,
    await idCounts(broker.brokers, topic, acknowledged, 60_000),
  );
}

/** One row of the chaos table from the innocent senders' outcome. */
async function reportInnocent(
  scenario: string,
  mode: 'kafka' | 'spool',
  topic: string,
  sent: Sent,
  faults: string,
): Promise<{ lost: string[]; duplicates: number }> {
  const result = await lossOf(topic, sent.acknowledged);
  reportChaos({
    scenario,
    mode,
    answered2xx: sent.acknowledged.length,
    acknowledged: sent.acknowledged.length,
    lost: result.lost.length,
    duplicates: result.duplicates,
    innocentRefused: sent.refused.length,
    faults,
  });
  return result;
}

describe('a long record key', () => {
  it('is refused with 400 naming the limit, at once, while the service keeps answering', async () => {
    const service = await startServiceIn('kafka', {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'long_keys',
      FILTER_STORE: 'memory',
    });
    try {
      await addRule(service, {
        pattern: 'kytos/mef_eline\\.',
        topic: 'long_keys_evcs',
        key: '/content/evc/id',
      });
      const key = '\u96fb'.repeat(120_000);
      const innocent = sendWhile(service.url, 4, small('kytos/topology.link_up'), seconds * 1000);
      const started = performance.now();
      const [answer, live] = await Promise.all([
        postJson(service.url + EVENTS_PATH, {
          name: 'kytos/mef_eline.created',
          content: { evc: { id: key } },
        }),
        fetch(`${service.url}/health/live`).then(() => performance.now() - started),
      ]);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.details, [
        {
          index: 0,
          field: 'key',
          reason: 'is 360000 bytes in UTF-8; a record key may be at most 1024',
        },
      ]);
      assert.ok(live < 2000, `/health/live answered in ${Math.round(live)} ms meanwhile`);
      const fine = await postJson(service.url + EVENTS_PATH, {
        name: 'kytos/mef_eline.created',
        content: { evc: { id: '\u96fb'.repeat(300) } },
      });
      assert.equal(fine.status, 200, 'a key within the limit is taken');
      const injected = await postJson(service.url + EVENTS_PATH, {
        name: 'kytos/mef_eline.created',
        content: { evc: { id: 'evc\r\nX-Injected: 1' } },
      });
      assert.equal(injected.status, 400);
      assert.deepEqual(injected.body.details, [
        { index: 0, field: 'key', reason: 'must not hold control characters' },
      ]);
      const sent = await innocent;
      const { lost } = await reportInnocent(
        'an event keyed by 120,000 CJK characters beside 4 innocent senders',
        'kafka',
        'long_keys',
        sent,
        '1 long key (answered 400)',
      );
      assert.deepEqual(lost, []);
      assert.deepEqual(sent.refused, []);
      assert.ok(sent.acknowledged.length > 0);
    } finally {
      await service.close();
    }
  });
});

for (const mode of ['kafka', 'spool'] as const) {
  describe(`${mode} mode: a record Kafka refuses, batched beside innocent ones`, () => {
    it('fails only its own sender (dead letter in spool mode); every innocent event is in Kafka', async () => {
      const topic = `s2_${mode}`;
      const dlq = `s2_${mode}_dlq`;
      await createTopic(topic, 1_048_588);
      // A dead letter topic that cannot take the refused record whole either: its letter goes
      // without the value.
      if (mode === 'spool') await createTopic(dlq, 100_000);
      const service = await startServiceIn(mode, {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: `isolation_${mode}`,
        FILTER_STORE: 'memory',
        // Spool mode shows the dead letter topic taking the record; kafka mode its 502.
        ...(mode === 'spool' ? { KAFKA_DLQ_TOPIC: dlq } : {}),
      });
      try {
        await addRule(service, { pattern: 'kytos/s2\\.', topic });
        // The service reads the topic's limit once and believes it for a while; an operator then
        // lowers it, so that Kafka refuses records the service let through.
        await makeServiceReadLimit(service.url, 'kytos/s2.small');
        await setMaxMessageBytes(broker.brokers, topic, 100_000);
        const big = () => ({
          name: 'kytos/s2.big',
          id: randomUUID(),
          content: { blob: incompressible(200_000) },
        });
        const [innocent, guilty] = await Promise.all([
          sendWhile(service.url, 4, small('kytos/s2.small'), seconds * 1000),
          sendWhile(service.url, 1, big, seconds * 1000),
        ]);
        const { lost } = await reportInnocent(
          'a 200 KB record Kafka refuses (max.message.bytes 100000), sent beside 4 innocent senders on its partition',
          mode,
          topic,
          innocent,
          `${guilty.acknowledged.length + guilty.refused.length} refused records sent`,
        );
        assert.deepEqual(innocent.refused, [], JSON.stringify(innocent.statuses));
        assert.deepEqual(lost, []);
        assert.ok(innocent.acknowledged.length > 20, JSON.stringify(innocent.statuses));
        // Kafka's first refusal makes the service read the topic's limit again: later records
        // that large are refused at once, with a 413.
        const statuses = Object.keys(guilty.statuses).sort();
        if (mode === 'kafka') {
          assert.ok(
            guilty.statuses['502'] && statuses.every((status) => ['413', '502'].includes(status)),
            `the refused sender hears of it: ${JSON.stringify(guilty.statuses)}`,
          );
        } else {
          assert.ok(
            statuses.every((status) => ['202', '413'].includes(status)),
            statuses.join(),
          );
          const spooled = guilty.acknowledged.length;
          assert.ok(spooled > 0);
          const letters = await readTopic(broker.brokers, dlq, spooled, 30_000);
          assert.equal(letters.length, spooled, 'every spooled refused record is a dead letter');
          for (const letter of letters) {
            assert.match(letter.headers['dlq-reason'] ?? '', /MESSAGE_TOO_LARGE/);
            assert.equal(letter.headers['dlq-original-topic'], topic);
            assert.equal(letter.headers['kytos-event-name'], 'kytos/s2.big');
            assert.equal(letter.headers['dlq-value-omitted'], 'too large');
            assert.ok(Number(letter.headers['dlq-original-bytes']) > 200_000);
            assert.equal(letter.value, '');
          }
        }
      } finally {
        await service.close();
      }
    });
  });

  describe(`${mode} mode: a rule's topic deleted under the service`, () => {
    it('is created again; the events of every other topic keep flowing meanwhile', async () => {
      const gone = `gone_${mode}`;
      const service = await startServiceIn(mode, {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: `gone_default_${mode}`,
        FILTER_STORE: 'memory',
      });
      try {
        await addRule(service, { pattern: 'kytos/gone\\.', topic: gone });
        const first = await postJson(service.url + EVENTS_PATH, small('kytos/gone.x')());
        assert.ok(first.status === 200 || first.status === 202);
        await withAdmin((admin) => admin.deleteTopics({ topics: [gone] }));
        const routed = small('kytos/gone.y')();
        const routedAnswer = postJson(service.url + EVENTS_PATH, routed);
        const sent = await sendWhile(
          service.url,
          4,
          small('kytos/topology.link_up'),
          60_000,
          ({ acknowledged }) => acknowledged.length >= 500,
        );
        const answer = await routedAnswer;
        assert.ok(answer.status === 200 || answer.status === 202, JSON.stringify(answer.body));
        const inGone = await idCounts(broker.brokers, gone, [routed.id], 30_000);
        const { lost } = await reportInnocent(
          "a rule's topic deleted (broker auto-creation off), then 500 events to another topic",
          mode,
          `gone_default_${mode}`,
          sent,
          '1 topic deleted',
        );
        assert.deepEqual(lost, []);
        assert.deepEqual(sent.refused, []);
        assert.ok(sent.acknowledged.length >= 500);
        assert.equal(inGone.get(routed.id), 1, 'the routed event is in its topic, created again');
      } finally {
        await service.close();
      }
    });
  });
}

describe('batch sizes as Kafka counts them', () => {
  it('publishes 1,000 events of about 1 KB in one request without compression', async () => {
    const topic = 'framing';
    const service = await startServiceIn('kafka', {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      KAFKA_TOPIC_PARTITIONS: '1',
      KAFKA_COMPRESSION: 'none',
      FILTER_STORE: 'memory',
    });
    try {
      const events = Array.from({ length: 1000 }, (_, i) => ({
        name: 'kytos/topology.link_up',
        id: randomUUID(),
        content: { i, pad: incompressible(900) },
      }));
      const answer = await postJson(service.url + EVENTS_PATH, events);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { lost, duplicates } = await lossOf(
        topic,
        events.map((event) => event.id),
      );
      assert.deepEqual(lost, []);
      assert.equal(duplicates, 0);
    } finally {
      await service.close();
    }
  });
});

describe('a topic Kafka will not create', () => {
  it('refuses its events at once, shows in readiness and metrics, and holds nothing else back', async () => {
    const topic = 'refused_default';
    await createTopic(topic);
    // A replication factor one broker cannot give: Kafka refuses to create any topic.
    const service = await startServiceIn('kafka', {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      KAFKA_TOPIC_REPLICATION_FACTOR: '2',
      FILTER_STORE: 'memory',
    });
    try {
      await createTopic('uncreatable');
      await addRule(service, { pattern: 'kytos/uncreatable\\.', topic: 'uncreatable' });
      await withAdmin((admin) => admin.deleteTopics({ topics: ['uncreatable'] }));
      const refused = await postJson(service.url + EVENTS_PATH, small('kytos/uncreatable.x')());
      assert.equal(refused.status, 502, JSON.stringify(refused.body));
      assert.match(
        String(refused.body.message),
        /uncreatable does not exist and Kafka will not create it/,
      );
      const again = performance.now();
      const second = await postJson(service.url + EVENTS_PATH, small('kytos/uncreatable.y')());
      assert.equal(second.status, 502);
      assert.ok(performance.now() - again < 1000, 'refused at once while known missing');
      const sent = await sendWhile(service.url, 4, small('kytos/topology.link_up'), 3000);
      assert.deepEqual(sent.refused, []);
      assert.deepEqual((await lossOf(topic, sent.acknowledged)).lost, []);
      const ready = await fetch(`${service.url}/health/ready`);
      assert.equal(ready.status, 503);
      assert.match(await ready.text(), /uncreatable/);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      assert.match(metrics, /kafka_events_topic_missing\{topic="uncreatable"\} 1/);
    } finally {
      await service.close();
    }
  });
});

describe('spool mode: a record Kafka refuses, with the spool full', () => {
  it('is set aside without room, forwarding resumes, and nothing acknowledged is sent twice', async () => {
    const topic = 'full_spool';
    await createTopic(topic, 1_048_588);
    const service = await startServiceIn('spool', {
      KAFKA_BROKERS: proxy.address,
      KAFKA_TOPIC: topic,
      KAFKA_TOPIC_PARTITIONS: '1',
      KAFKA_REQUEST_TIMEOUT_MS: '1000',
      SPOOL_MAX_BYTES: '2000000',
      SPOOL_SEGMENT_BYTES: '100000',
      // The largest record must fit an empty spool (checked at start).
      KAFKA_MAX_RECORD_BYTES: '1500000',
      FILTER_STORE: 'memory',
    });
    try {
      await makeServiceReadLimit(service.url, 'kytos/first');
      await setMaxMessageBytes(broker.brokers, topic, 100_000);
      proxy.setPlan({ blackhole: true });
      const refused = await postJson(service.url + EVENTS_PATH, {
        name: 'kytos/big',
        id: randomUUID(),
        content: { blob: incompressible(200_000) },
      });
      assert.equal(refused.status, 202);
      const acknowledged: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const event = {
          name: 'kytos/fill',
          id: randomUUID(),
          content: { pad: incompressible(3000) },
        };
        const answer = await postJson(service.url + EVENTS_PATH, event);
        if (answer.status === 503) break;
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
        acknowledged.push(event.id);
      }
      assert.ok(
        acknowledged.length > 100 && acknowledged.length < 2000,
        `${acknowledged.length} taken before full`,
      );
      proxy.setPlan({});
      const counts = await idCounts(broker.brokers, topic, acknowledged, 60_000);
      // Time for a flood of resends to show, were there one.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const { lost, duplicates } = lossAndDuplicates(
        acknowledged,
        await idCounts(broker.brokers, topic, acknowledged, 10_000),
      );
      reportChaos({
        scenario:
          'Kafka away, one record it will refuse, the spool filled to its cap, then Kafka back',
        mode: 'spool',
        answered2xx: acknowledged.length + 1,
        acknowledged: acknowledged.length,
        lost: lost.length,
        duplicates,
        innocentRefused: 0,
        faults: `blackhole, ${counts.size} ids read back`,
      });
      assert.deepEqual(lost, []);
      assert.ok(duplicates <= acknowledged.length / 10, `${duplicates} duplicates`);
      const ready = await fetch(`${service.url}/health/ready`);
      assert.equal(ready.status, 200, await ready.text());
      const after = small('kytos/after')();
      assert.equal((await postJson(service.url + EVENTS_PATH, after)).status, 202);
      assert.equal((await idCounts(broker.brokers, topic, [after.id], 30_000)).get(after.id), 1);
    } finally {
      proxy.setPlan({});
      await service.close();
    }
  });
});

describe('kafka mode: a network blackhole', () => {
  it('answers every request within KAFKA_RETRY_DEADLINE_MS + KAFKA_REQUEST_TIMEOUT_MS and loses nothing acknowledged', async () => {
    const topic = 'blackhole';
    await createTopic(topic);
    const deadlineMs = 3000;
    const requestTimeoutMs = 2000;
    const service = await startServiceIn('kafka', {
      KAFKA_BROKERS: proxy.address,
      KAFKA_TOPIC: topic,
      KAFKA_RETRY_DEADLINE_MS: String(deadlineMs),
      KAFKA_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
      FILTER_STORE: 'memory',
    });
    try {
      const healed = new Promise((resolve) =>
        setTimeout(
          () => {
            proxy.setPlan({});
            resolve(undefined);
          },
          (seconds + 8) * 1000,
        ),
      );
      setTimeout(() => proxy.setPlan({ blackhole: true }), 1000);
      const sent = await sendWhile(
        service.url,
        16,
        small('kytos/topology.link_up'),
        (seconds + 12) * 1000,
      );
      await healed;
      const { lost } = await reportInnocent(
        `a network blackhole of ${seconds + 7} s (sockets open, nothing forwarded), 16 senders`,
        'kafka',
        topic,
        sent,
        `${proxy.counts.swallowed} requests swallowed; slowest answer ${Math.round(sent.slowestMs)} ms`,
      );
      assert.deepEqual(lost, []);
      assert.ok((sent.statuses['503'] ?? 0) > 0, 'the blackhole was felt');
      assert.ok(
        sent.slowestMs < deadlineMs + requestTimeoutMs + 1000,
        `slowest answer ${Math.round(sent.slowestMs)} ms`,
      );
    } finally {
      proxy.setPlan({});
      await service.close();
    }
  });
});
