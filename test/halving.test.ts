import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { reportBound } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, postJson, startService } from './support/service.js';
import { makeServiceReadLimit, setMaxMessageBytes } from './support/topic-limit.js';
import { countRecords, readTopic } from './support/topic-reader.js';

let broker: KafkaBroker;

before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => {
  await broker?.stop();
});

/** Which key an event id was sent under, and its place among that key's events. */
type Sequence = Map<string, { key: string; seq: number }>;

interface Senders {
  /** Ids of the events answered 200. */
  acknowledged: string[];
  sequence: Sequence;
  statuses: Record<string, number>;
}

/**
 * `senders` senders at once, each posting `requests` requests of `perRequest` events one after
 * another; sender s keys its events by three names of its own and numbers them in the order it
 * sends them, so each key's events are acknowledged in that order.
 */
async function sendKeyed(
  url: string,
  prefix: string,
  senders: number,
  requests: number,
  perRequest: number,
): Promise<Senders> {
  const sent: Senders = { acknowledged: [], sequence: new Map(), statuses: {} };
  const sender = async (s: number) => {
    let seq = 0;
    for (let r = 0; r < requests; r++) {
      const events = Array.from({ length: perRequest }, () => {
        seq++;
        const event = {
          name: `kytos/${prefix}.s${s}.k${seq % 3}`,
          id: randomUUID(),
          content: { sender: s, seq },
        };
        sent.sequence.set(event.id, { key: event.name, seq });
        return event;
      });
      const answer = await postJson(url + EVENTS_PATH, events);
      const status = String(answer.status);
      sent.statuses[status] = (sent.statuses[status] ?? 0) + 1;
      if (answer.status === 200) sent.acknowledged.push(...events.map(({ id }) => id));
    }
  };
  await Promise.all(Array.from({ length: senders }, (_, s) => sender(s)));
  return sent;
}

/** One event no codec shrinks below 50,000 bytes: base64 of random bytes. */
async function postIncompressible(url: string, name: string, delayMs: number) {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const id = randomUUID();
  const answer = await postJson(url + EVENTS_PATH, {
    name,
    id,
    content: { blob: randomBytes(75_000).toString('base64') },
  });
  return { id, status: answer.status };
}

interface Written {
  /** Copies in the topic of each acknowledged id. */
  copies: Map<string, number>;
  /** Times a key's sequence number went down from one record to the next on its partition. */
  backwards: number;
  keys: number;
}

/** Everything the topic holds, read by an independent consumer, in partition order. */
async function readBack(topic: string, sent: Senders): Promise<Written> {
  const records = await readTopic(
    broker.brokers,
    topic,
    await countRecords(broker.brokers, topic),
    60_000,
  );
  const copies = new Map<string, number>(sent.acknowledged.map((id) => [id, 0]));
  const lastSeq = new Map<string, number>();
  let backwards = 0;
  for (const record of records) {
    const id = record.headers['kytos-event-id'] ?? '';
    if (copies.has(id)) copies.set(id, (copies.get(id) ?? 0) + 1);
    const sequence = sent.sequence.get(id);
    if (sequence === undefined) continue;
    assert.equal(record.key, sequence.key, 'keyed by event name');
    if ((lastSeq.get(sequence.key) ?? 0) > sequence.seq) backwards++;
    lastSeq.set(sequence.key, sequence.seq);
  }
  return { copies, backwards, keys: lastSeq.size };
}

function copiesSummary(copies: Map<string, number>): { max: number; extra: number; lost: number } {
  const counts = [...copies.values()];
  return {
    max: Math.max(...counts),
    extra: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    lost: counts.filter((n) => n === 0).length,
  };
}

/**
 * The audit of #33: the topic's max.message.bytes lowered to 50,000 under the limit the service
 * cached, so Kafka refuses one partition of a batch of many. The batch is halved; before, each
 * half went again whole, partitions Kafka had written included.
 */
for (const scenario of [
  {
    title: '8 senders of 125 events (25 requests of 5) beside one 100 KB event',
    linger: '5',
    senders: 8,
    requests: 25,
    perRequest: 5,
  },
  {
    title:
      'PUBLISH_LINGER_MS=1000, 10 senders of 12 events (one request each) beside one 100 KB event',
    linger: '1000',
    senders: 10,
    requests: 1,
    perRequest: 12,
  },
]) {
  describe(`a batch of 4 partitions halved after max.message.bytes was lowered: ${scenario.title}`, () => {
    it('writes each acknowledged event once, and no key goes backwards', async (t) => {
      const prefix = `halving${scenario.linger}`;
      const topic = `${prefix}_events`;
      const dlq = `${prefix}_dlq`;
      const service = await startService({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        KAFKA_DLQ_TOPIC: dlq,
        KAFKA_TOPIC_PARTITIONS: '4',
        FILTER_STORE: 'memory',
        PUBLISH_LINGER_MS: scenario.linger,
      });
      try {
        await makeServiceReadLimit(service.url, `kytos/${prefix}.limit`);
        await setMaxMessageBytes(broker.brokers, topic, 50_000);
        const [sent, big] = await Promise.all([
          sendKeyed(service.url, prefix, scenario.senders, scenario.requests, scenario.perRequest),
          postIncompressible(service.url, `kytos/${prefix}.big`, 100),
        ]);
        const expected = scenario.senders * scenario.requests * scenario.perRequest;
        assert.equal(sent.acknowledged.length, expected, JSON.stringify(sent.statuses));
        assert.equal(big.status, 502, 'Kafka refused the 100 KB event: its sender hears of it');
        const written = await readBack(topic, sent);
        const { max, extra, lost } = copiesSummary(written.copies);
        const measured = `${expected} events: ${lost} lost, most copies of one ${max} (${extra} extra), ${written.backwards} steps backwards over ${written.keys} keys`;
        t.diagnostic(measured);
        reportBound({
          attack: `max.message.bytes lowered to 50,000 under the cached limit; ${scenario.title}`,
          bound: 'each acknowledged event written once (at most twice); no key goes backwards',
          measured,
        });
        assert.equal(lost, 0, 'every acknowledged event is in the topic');
        assert.equal(written.backwards, 0, 'no key went backwards');
        assert.ok(max <= 2, `at most 2 copies of an event (${max})`);
        assert.equal(extra, 0, 'Kafka wrote the refused partitions nothing: nothing was resent');
        const letters = await readTopic(broker.brokers, dlq, 1, 30_000);
        assert.equal(await countRecords(broker.brokers, dlq), 1);
        assert.deepEqual(
          letters.map((letter) => letter.headers['kytos-event-id']),
          [big.id],
          'exactly the refused record is a dead letter',
        );
      } finally {
        await service.close();
      }
    });
  });
}
