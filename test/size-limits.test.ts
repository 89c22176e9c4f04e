import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportBound } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, postJson, send, startService } from './support/service.js';
import { readTopic } from './support/topic-reader.js';

/** The broker's socket.request.max.bytes: small, so that a record larger than it stays small. */
const REQUEST_MAX_BYTES = 2 * 1024 * 1024;
const MAX_RECORD_BYTES = 1_048_576;

let broker: KafkaBroker;
const scratch: string[] = [];
before(async () => {
  broker = await KafkaBroker.start([`socket.request.max.bytes=${REQUEST_MAX_BYTES}`]);
});
after(async () => {
  await broker?.stop();
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** Random printable ASCII without `"` or `\`: JSON keeps it byte for byte, and no codec shrinks it much. */
function printableText(length: number): string {
  return Array.from(randomBytes(length), (byte) => {
    const code = 35 + (byte % 57);
    return String.fromCharCode(code === 92 ? 93 : code);
  }).join('');
}

function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-events-size-limits-'));
  scratch.push(dir);
  return dir;
}

/** Polls `check` every 100 ms for at most `timeoutMs`; the last answer. */
async function pollUntil<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('size limits across the stages (#33)', () => {
  it('lz4: a record of random text at KAFKA_MAX_RECORD_BYTES reaches a topic the service created, one byte more gets 413', async () => {
    const topic = 'size_limits_lz4';
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      KAFKA_COMPRESSION: 'lz4',
      KAFKA_MAX_RECORD_BYTES: String(MAX_RECORD_BYTES),
      FILTER_STORE: 'memory',
    });
    try {
      const url = `${service.url}${EVENTS_PATH}`;
      const text = printableText(MAX_RECORD_BYTES);
      const tooLarge = await postJson(url, { name: 'kytos/big', content: { text } });
      assert.equal(tooLarge.status, 413, JSON.stringify(tooLarge.body));
      const size = Number(
        /is (\d+) bytes as a Kafka record/.exec(String(tooLarge.body.message))?.[1],
      );
      assert.ok(size > MAX_RECORD_BYTES, String(tooLarge.body.message));
      // The same event, shortened to make a record of exactly KAFKA_MAX_RECORD_BYTES.
      const fitting = text.slice(0, text.length - (size - MAX_RECORD_BYTES));
      const overByOne = await postJson(url, {
        name: 'kytos/big',
        content: { text: `${fitting}x` },
      });
      assert.equal(overByOne.status, 413, 'one byte over the limit is refused at the door');
      const answer = await postJson(url, { name: 'kytos/big', content: { text: fitting } });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [record] = await readTopic(broker.brokers, topic, 1, 30_000);
      const value = JSON.parse(record?.value ?? '{}') as { message?: { text?: string } };
      assert.equal(value.message?.text, fitting, 'read back whole by an independent consumer');
      reportBound({
        attack: `lz4, random printable text at KAFKA_MAX_RECORD_BYTES (${MAX_RECORD_BYTES}) on a topic the service created`,
        bound:
          "accepted at the door ⇒ taken by the topic (max.message.bytes counts lz4's worst growth)",
        measured: `record of ${MAX_RECORD_BYTES} bytes: 200 and read back whole; ${MAX_RECORD_BYTES + 1}: 413`,
      });
    } finally {
      await service.close();
    }
  });

  it("spool: an event larger than the brokers' socket.request.max.bytes gets 413 at the door, later ones reach Kafka", async () => {
    const topic = 'size_limits_request';
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      KAFKA_COMPRESSION: 'none',
      KAFKA_MAX_RECORD_BYTES: String(8 * 1024 * 1024),
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: spoolDir(),
      FILTER_STORE: 'memory',
    });
    try {
      const url = `${service.url}${EVENTS_PATH}`;
      const huge = await postJson(url, {
        name: 'kytos/huge',
        content: { text: printableText(REQUEST_MAX_BYTES + 1024 * 1024) },
      });
      assert.equal(huge.status, 413, JSON.stringify(huge.body));
      assert.match(String(huge.body.message), /socket\.request\.max\.bytes/);
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) {
        const answer = await postJson(url, { name: 'kytos/after', id, content: { id } });
        assert.equal(answer.status, 202);
      }
      const records = await readTopic(broker.brokers, topic, ids.length, 30_000);
      const arrived = records.map(
        (record) => (JSON.parse(record.value) as { message: { id: string } }).message.id,
      );
      assert.deepEqual(arrived.sort(), ids.sort(), 'every event that got 202 reached Kafka');
      reportBound({
        attack: `spool mode, an event of 3 MiB to a broker with socket.request.max.bytes=${REQUEST_MAX_BYTES}, then 3 events`,
        bound: "no 202 that never reaches Kafka: 413 at the door once the brokers' limit is read",
        measured: `413 for the large event; 3 of 3 later 202s read back from Kafka`,
      });
    } finally {
      await service.close();
    }
  });

  it('spool: an event accepted while Kafka was away and larger than it takes is set aside, later ones reach Kafka', async () => {
    const topic = 'size_limits_aside';
    const dir = spoolDir();
    await broker.pause();
    let paused = true;
    const service = await startService(
      {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        KAFKA_COMPRESSION: 'none',
        KAFKA_MAX_RECORD_BYTES: String(8 * 1024 * 1024),
        DELIVERY_MODE: 'spool',
        SPOOL_DIR: dir,
        SPOOL_FORWARD_STUCK_MS: '2000',
        KAFKA_CHECK_INTERVAL_MS: '500',
        FILTER_STORE: 'memory',
      },
      { waitUntilReady: false },
    );
    try {
      const url = `${service.url}${EVENTS_PATH}`;
      const huge = await postJson(url, {
        name: 'kytos/huge',
        id: randomUUID(),
        content: { text: printableText(REQUEST_MAX_BYTES + 1024 * 1024) },
      });
      assert.equal(huge.status, 202, 'Kafka away: its limits cannot be read');
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) {
        assert.equal(
          (await postJson(url, { name: 'kytos/later', id, content: { id } })).status,
          202,
        );
      }
      const resumedAt = Date.now();
      await broker.resume();
      paused = false;
      const records = await readTopic(broker.brokers, topic, ids.length, 60_000);
      const tookMs = Date.now() - resumedAt;
      const arrived = records.map(
        (record) => (JSON.parse(record.value) as { message: { id: string } }).message.id,
      );
      assert.deepEqual(arrived.sort(), ids.sort(), 'every later event that got 202 reached Kafka');
      const setAside = statSync(join(dir, 'rejected.spool')).size;
      assert.ok(
        setAside > REQUEST_MAX_BYTES,
        `the large event kept in rejected.spool (${setAside} bytes)`,
      );
      const readiness = await pollUntil(
        async () => (await send(`${service.url}/health/ready`, 'GET')).status,
        (status) => status === 200,
        10_000,
      );
      assert.equal(readiness, 200, 'ready once the batch is set aside');
      reportBound({
        attack: `spool mode, an event of 3 MiB accepted while Kafka was away (socket.request.max.bytes=${REQUEST_MAX_BYTES}), then 3 events`,
        bound:
          "set aside in rejected.spool once the brokers' limit is read, within SPOOL_FORWARD_STUCK_MS of each check",
        measured: `3 of 3 later 202s in Kafka ${tookMs} ms after the broker came back; the large one in rejected.spool`,
      });
    } finally {
      await service.close();
      if (paused) await broker.resume();
    }
  });
});
