import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { EventEnvelope } from '../src/publisher/event-envelope.js';
import { encodeRecord } from '../src/publisher/spool/spool-record.js';
import { streamEvents } from './support/event-stream.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { sampleEvents } from './support/sample-events.js';
import { EVENTS_PATH, RunningService, postJson, startService } from './support/service.js';
import { spawnService } from './support/service-process.js';
import { idCounts, lossAndDuplicates, readTopic } from './support/topic-reader.js';
import { makeServiceReadLimit, setMaxMessageBytes } from './support/topic-limit.js';
import { chaosSeconds, reportChaos } from './support/chaos-report.js';

const permitted = sampleEvents.filter((event) => /^kytos[./]/.test(event.name));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let broker: KafkaBroker;
const scratch: string[] = [];
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => {
  await broker?.stop();
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-events-spool-'));
  scratch.push(dir);
  return dir;
}

/**
 * For tests that stop the broker: an outage short to detect, and rules from config only, as these
 * tests are about delivery (the shared rule store's outage behaviour is tested in rules.test).
 */
const fastFailure = {
  KAFKA_RETRY_DEADLINE_MS: '2000',
  KAFKA_REQUEST_TIMEOUT_MS: '2000',
  KAFKA_CONNECTION_TIMEOUT_MS: '500',
  FILTER_STORE: 'memory',
};

describe('spool delivery mode', () => {
  it('sends a record Kafka refuses for good to KAFKA_DLQ_TOPIC, with the reason and the topic it was meant for', async () => {
    // The dead letter topic takes larger records than the events topic, whose default is 1 MiB.
    const admin = new kafkajs.Kafka({
      brokers: [broker.brokers],
      logLevel: kafkajs.logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'spool_dlq', configEntries: [{ name: 'max.message.bytes', value: '4194304' }] },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const dir = spoolDir();
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'spool_refusing',
      KAFKA_DLQ_TOPIC: 'spool_dlq',
      KAFKA_COMPRESSION: 'none',
      KAFKA_MAX_RECORD_BYTES: '4194304',
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: dir,
      FILTER_STORE: 'memory',
    });
    try {
      // The service made its topic to take 4 MiB and knows so; an operator then lowers it to
      // 1 MiB: the broker, not the service, refuses the record below (uncompressed 1.5 MiB).
      // (Twice: in spool mode the topic exists only once the forwarder has connected.)
      await makeServiceReadLimit(service.url, 'kytos/prime');
      await readTopic(broker.brokers, 'spool_refusing', 1);
      await makeServiceReadLimit(service.url, 'kytos/prime');
      // The second prime (1.1 MB) must be in Kafka before the limit drops, or it is refused too.
      await readTopic(broker.brokers, 'spool_refusing', 2);
      await setMaxMessageBytes(broker.brokers, 'spool_refusing', 1_048_588);
      const large = {
        id: '3f0c6a5e-8b1d-4c2e-9f7a-1d2b3c4d5e6f',
        name: 'kytos/topology.updated',
        content: { topology: 'x'.repeat(1.5 * 1024 * 1024) },
      };
      const small = {
        id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        name: 'kytos/topology.link_up',
        content: {},
      };
      const answer = await postJson(service.url + EVENTS_PATH, [small, large]);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      const [dead] = await readTopic(broker.brokers, 'spool_dlq', 1, 30_000);
      assert.equal(dead?.headers['kytos-event-id'], large.id);
      assert.equal(dead?.headers['dlq-original-topic'], 'spool_refusing');
      assert.match(dead?.headers['dlq-reason'] ?? '', /MESSAGE_TOO_LARGE/);
      const value = JSON.parse(dead?.value ?? '{}') as {
        event?: string;
        id?: string;
        message?: { topology?: string };
      };
      assert.equal(value.event, large.name, 'the record as it would have been');
      assert.equal(value.id, large.id);
      assert.equal(value.message?.topology, large.content.topology);
      const delivered = (await readTopic(broker.brokers, 'spool_refusing', 3)).map(
        (record) => record.headers['kytos-event-id'],
      );
      assert.ok(delivered.includes(small.id) && !delivered.includes(large.id), String(delivered));
      assert.ok(!existsSync(join(dir, 'rejected.spool')), 'nothing kept locally');
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      assert.match(metrics, /^kafka_events_dead_letters_total 1$/m);
    } finally {
      await service.close();
    }
  });

  it('answers 202 once the batch is on disk, and forwards it to Kafka exactly as sent', async () => {
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'spool_basic',
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: spoolDir(),
    });
    try {
      const answer = await postJson(service.url + EVENTS_PATH, sampleEvents);
      assert.equal(answer.status, 202);
      assert.deepEqual(answer.body, {
        accepted: sampleEvents.length,
        spooled: permitted.length,
        filtered: 1,
        duplicates: 0,
      });
      const records = await readTopic(broker.brokers, 'spool_basic', permitted.length);
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      assert.deepEqual(
        records.map((record) => JSON.parse(record.value) as { id: string }).sort(byId),
        permitted
          .map((event) => ({
            event: event.name,
            message: event.content,
            id: event.id,
            timestamp: event.timestamp,
          }))
          .sort(byId),
      );
      // Within a partition, records stand in the order they were posted (one forwarder, in order).
      const posted = permitted.map((event) => event.id);
      for (const partition of new Set(records.map((record) => record.partition))) {
        const ids = records
          .filter((record) => record.partition === partition)
          .map((record) => record.headers['kytos-event-id'] ?? '');
        assert.deepEqual(
          ids,
          posted.filter((id) => ids.includes(id)),
          `partition ${partition} keeps the posted order`,
        );
      }
    } finally {
      await service.close();
    }
  });

  it('skips a torn tail left by a crash, reporting it, and forwards the records before and after', async () => {
    const dir = spoolDir();
    const good = [0, 1, 2].map((i) =>
      EventEnvelope.fromEvent({ name: `kytos/before.crash.${i}`, content: { i } }, new Date(), {
        topic: 'spool_torn',
      }),
    );
    const torn = encodeRecord(
      EventEnvelope.fromEvent({ name: 'kytos/torn', content: {} }, new Date(), {
        topic: 'spool_torn',
      }),
    ).subarray(0, 30);
    writeFileSync(
      join(dir, 'segment-000000000001.spool'),
      Buffer.concat([...good.map(encodeRecord), torn]),
    );
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'spool_torn',
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: dir,
    });
    try {
      assert.equal(
        (await postJson(service.url + EVENTS_PATH, { name: 'kytos/after.restart', content: {} }))
          .status,
        202,
      );
      const records = await readTopic(broker.brokers, 'spool_torn', 4);
      assert.deepEqual(
        records.map((record) => record.key).sort(),
        [...good.map((envelope) => envelope.name), 'kytos/after.restart'].sort(),
      );
      await sleep(500);
      assert.equal(
        (await readTopic(broker.brokers, 'spool_torn', 5, 2000)).length,
        4,
        'the torn record is never published',
      );
    } finally {
      await service.close();
    }
  });
});

describe('broker stopped mid-stream and restarted', () => {
  for (const mode of ['kafka', 'spool'] as const) {
    it(`${mode} mode: every acknowledged event reaches Kafka, none lost`, async (t) => {
      const topic = `restart_${mode}`;
      const service: RunningService = await startService({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        DELIVERY_MODE: mode,
        SPOOL_DIR: spoolDir(),
        ...fastFailure,
      });
      try {
        const stream = streamEvents(() => service.url, {
          workers: 8,
          maxRequests: 1_000_000,
          maxMs: chaosSeconds(20) * 1000,
        });
        await sleep(2000);
        await broker.pause();
        await sleep(4000);
        await broker.resume();
        const result = await stream;
        const counts = await idCounts(broker.brokers, topic, result.acknowledged);
        const { lost, duplicates } = lossAndDuplicates(result.acknowledged, counts);
        t.diagnostic(
          `${mode}: answers ${JSON.stringify(result.statuses)}, ${result.acknowledged.length} acknowledged, ${lost.length} lost, ${duplicates} duplicates`,
        );
        reportChaos({
          scenario: 'broker stopped for 4 s mid-stream, then restarted',
          mode,
          answered2xx: result.acknowledged.length,
          acknowledged: result.acknowledged.length,
          lost: lost.length,
          duplicates,
          faults: `${result.statuses['503'] ?? 0} answered 503 during the outage`,
        });
        assert.ok(result.acknowledged.length > 50, 'the stream flowed');
        assert.deepEqual(lost, [], 'no acknowledged event is missing');
        const ok = mode === 'kafka' ? '200' : '202';
        assert.deepEqual(
          Object.keys(result.statuses).filter((status) => status !== ok && status !== '503'),
          [],
        );
        if (mode === 'kafka')
          assert.ok((result.statuses['503'] ?? 0) > 0, 'the outage was seen as 503');
        else
          assert.equal(
            result.statuses['503'] ?? 0,
            0,
            'the spool took every event during the outage',
          );
      } finally {
        await service.close();
      }
    });
  }
});

describe('spool mode survives kill -9', () => {
  it('resumes from the spool after SIGKILL: every event that got 202 reaches Kafka', async (t) => {
    const dir = spoolDir();
    const env = {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'spool_kill',
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: dir,
      // Kafka is away when this instance starts: rules from config, so it can take events at once.
      FILTER_STORE: 'memory',
    };
    // Kafka is away while the first process runs, so the spool holds everything when it dies.
    await broker.pause();
    const first = await spawnService(env);
    const stop = new AbortController();
    const stream = streamEvents(() => first.url, {
      workers: 8,
      maxRequests: 100_000,
      maxMs: 20_000,
      stop: stop.signal,
    });
    await sleep(2500);
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await exited;
    stop.abort();
    const result = await stream;

    await broker.resume();
    const second = await spawnService(env);
    try {
      const counts = await idCounts(broker.brokers, 'spool_kill', result.acknowledged);
      const { lost, duplicates } = lossAndDuplicates(result.acknowledged, counts);
      t.diagnostic(
        `kill -9: answers ${JSON.stringify(result.statuses)}, ${result.acknowledged.length} got 202, ${lost.length} lost, ${duplicates} duplicates`,
      );
      reportChaos({
        scenario: 'kill -9 of the service while Kafka is away, then a restart',
        mode: 'spool',
        answered2xx: result.acknowledged.length,
        acknowledged: result.acknowledged.length,
        lost: lost.length,
        duplicates,
        faults: '1 SIGKILL',
      });
      assert.ok(result.acknowledged.length > 50, 'events were spooled before the kill');
      assert.deepEqual(lost, []);
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  });
});

describe('spool full', () => {
  it('answers 503 at SPOOL_MAX_BYTES while Kafka is away, and takes events again once forwarded', async () => {
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'spool_cap',
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: spoolDir(),
      SPOOL_MAX_BYTES: String(1024 * 1024),
      SPOOL_SEGMENT_BYTES: String(128 * 1024),
      // The largest record must fit an empty spool (checked at start).
      KAFKA_MAX_RECORD_BYTES: String(512 * 1024),
      ...fastFailure,
    });
    try {
      await broker.pause();
      const acknowledged: string[] = [];
      let answer;
      for (let i = 0; i < 200; i++) {
        const batch = Array.from({ length: 10 }, (_, j) => ({
          name: 'kytos/x',
          id: crypto.randomUUID(),
          content: { i, j, blob: 'x'.repeat(1000) },
        }));
        answer = await postJson(service.url + EVENTS_PATH, batch);
        if (answer.status !== 202) break;
        acknowledged.push(...batch.map((event) => event.id));
      }
      assert.equal(answer?.status, 503, 'the cap was reached within 200 requests');
      assert.equal(answer?.headers.get('retry-after'), '1');
      assert.match(String(answer?.body.message), /the spool is full/);

      await broker.resume();
      const deadline = Date.now() + 60_000;
      let resumed = false;
      while (!resumed && Date.now() < deadline) {
        const event = { name: 'kytos/y', id: crypto.randomUUID(), content: {} };
        if ((await postJson(service.url + EVENTS_PATH, event)).status === 202) {
          acknowledged.push(event.id);
          resumed = true;
        } else await sleep(250);
      }
      assert.ok(resumed, 'the spool took events again once the forwarder freed space');
      const { lost } = lossAndDuplicates(
        acknowledged,
        await idCounts(broker.brokers, 'spool_cap', acknowledged),
      );
      assert.deepEqual(lost, []);
    } finally {
      await service.close();
    }
  });

  it('answers 503 on a full disk without crashing, and resumes when space frees', async (t) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'kafka-events-tmpfs-'));
    scratch.push(mountPoint);
    const { execFileSync } = await import('node:child_process');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], {
        stdio: 'ignore',
      });
    } catch {
      t.skip(
        'mounting a small tmpfs needs root; the SPOOL_MAX_BYTES test above covers the 503 path',
      );
      return;
    }
    try {
      const dir = join(mountPoint, 'spool');
      mkdirSync(dir);
      const service = await startService({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: 'spool_disk',
        DELIVERY_MODE: 'spool',
        SPOOL_DIR: dir,
      });
      try {
        const filler = join(mountPoint, 'filler');
        writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024 - 64 * 1024));
        const big = {
          name: 'kytos/z',
          id: crypto.randomUUID(),
          content: { blob: 'x'.repeat(200_000) },
        };
        const full = await postJson(service.url + EVENTS_PATH, big);
        assert.equal(full.status, 503);
        assert.match(String(full.body.message), /disk is full/);

        rmSync(filler);
        const after = await postJson(service.url + EVENTS_PATH, big);
        assert.equal(after.status, 202);
        const { lost, duplicates } = lossAndDuplicates(
          [big.id],
          await idCounts(broker.brokers, 'spool_disk', [big.id]),
        );
        reportChaos({
          scenario: 'disk full (4 MiB tmpfs), then space freed',
          mode: 'spool',
          answered2xx: 1,
          acknowledged: 1,
          lost: lost.length,
          duplicates,
          faults: '1 request answered 503 "disk is full"',
        });
        assert.deepEqual(lost, []);
      } finally {
        await service.close();
      }
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
