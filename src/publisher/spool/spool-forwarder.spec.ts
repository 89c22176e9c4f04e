import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { AppConfig, loadAppConfig } from '../../config/app-config.js';
import { EventMetrics } from '../../metrics/index.js';
import { EventEnvelope } from '../event-envelope.js';
import { RetryPolicy } from '../retry-policy.js';
import type { ReadBatch } from './segment-reader.js';
import { Spool, SpoolPosition, SpoolSegment } from './spool.js';
import { SpoolForwarder } from './spool-forwarder.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

type Operation = 'read' | 'saveCheckpoint' | 'release' | 'setAside';

/** A real spool on disk whose file operations fail once each, as a full or broken disk makes them. */
class FailingSpool extends Spool {
  readonly failed = new Set<Operation>();
  readonly saves: SpoolPosition[] = [];

  constructor(
    config: AppConfig,
    private readonly failOnce: Operation[],
  ) {
    super(config);
  }

  private fault(operation: Operation): void {
    if (this.failOnce.includes(operation) && !this.failed.has(operation)) {
      this.failed.add(operation);
      throw Object.assign(new Error(`ENOSPC: no space left on device (${operation})`), {
        code: 'ENOSPC',
      });
    }
  }

  override async read(segment: SpoolSegment, from: number): Promise<ReadBatch> {
    this.fault('read');
    return super.read(segment, from);
  }

  override async saveCheckpoint(position: SpoolPosition): Promise<void> {
    this.fault('saveCheckpoint');
    await super.saveCheckpoint(position);
    this.saves.push(position);
  }

  override async release(segment: SpoolSegment): Promise<void> {
    this.fault('release');
    return super.release(segment);
  }

  override async setAside(envelope: EventEnvelope): Promise<string> {
    this.fault('setAside');
    return super.setAside(envelope);
  }
}

/** Stands in for Kafka: keeps what it acknowledged; refuses for good names starting with kytos/bad. */
class RecordingProducer {
  readonly acknowledged: string[] = [];
  sends = 0;
  /** Dead letters taken (records bound for the topic 'dlq'), as kafkajs would send them. */
  readonly deadLetters: ReturnType<EventEnvelope['toMessage']>[] = [];
  refuseDeadLetters = false;

  send(envelopes: readonly EventEnvelope[]): Promise<void> {
    this.sends++;
    if (envelopes.every((envelope) => envelope.topic === 'dlq') && !this.refuseDeadLetters) {
      this.deadLetters.push(...envelopes.map((envelope) => envelope.toMessage()));
      return Promise.resolve();
    }
    if (envelopes.some((envelope) => envelope.name.startsWith('kytos/bad'))) {
      const error = new kafkajs.KafkaJSProtocolError('too large');
      Object.assign(error, { type: 'MESSAGE_TOO_LARGE' });
      return Promise.reject(error);
    }
    this.acknowledged.push(...envelopes.map((envelope) => envelope.name));
    return Promise.resolve();
  }
}

function events(names: string[]): EventEnvelope[] {
  return names.map((name) => EventEnvelope.fromEvent({ name, content: {} }, new Date(0)));
}

async function forwarderWith(
  failOnce: Operation[],
  deadLetters?: { topic: string; originalTopic: string },
  env: Record<string, string> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'forwarder-spec-'));
  dirs.push(dir);
  const config = loadAppConfig({
    AUTH_DISABLED: 'true',
    DELIVERY_MODE: 'spool',
    SPOOL_DIR: dir,
    SPOOL_SEGMENT_BYTES: '65536',
    KAFKA_RETRY_INITIAL_MS: '10',
    KAFKA_RETRY_MAX_MS: '50',
    ...env,
  });
  const spool = new FailingSpool(config, failOnce);
  await spool.open();
  const producer = new RecordingProducer();
  const metrics = new EventMetrics();
  const forwarder = new SpoolForwarder(
    spool,
    producer,
    new RetryPolicy(config.kafka.retry),
    metrics,
    config.delivery.spoolForwardLingerMs,
    deadLetters,
  );
  return { spool, producer, metrics, forwarder };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    assert.ok(waited < 10_000, `${what} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SpoolForwarder', () => {
  it('saves its checkpoint once it has caught up, not after every batch', async () => {
    const { spool, producer, forwarder } = await forwarderWith([]);
    for (let group = 0; group < 8; group++) {
      await spool.append(events(Array.from({ length: 250 }, (_, i) => `kytos/e${group}.${i}`)));
    }
    forwarder.start();
    try {
      await until(() => producer.acknowledged.length === 2000, 'every event forwarded');
      await until(() => spool.saves.length > 0, 'a checkpoint');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
    const end = spool.list().at(-1);
    assert.deepEqual(await spool.loadCheckpoint(), { seq: end?.seq, offset: end?.size });
    assert.ok(
      spool.saves.length < producer.sends / 2,
      `${spool.saves.length} checkpoints for ${producer.sends} batches`,
    );
  });

  it('while it keeps up, sends at most one batch per SPOOL_FORWARD_LINGER_MS, every event in order', async () => {
    const { spool, producer, forwarder } = await forwarderWith([], undefined, {
      SPOOL_FORWARD_LINGER_MS: '100',
    });
    const names = Array.from({ length: 40 }, (_, i) => `kytos/e${i}`);
    forwarder.start();
    const started = performance.now();
    try {
      // One event per fsynced append, as single-event requests make them.
      for (const name of names) await spool.append(events([name]));
      await until(() => producer.acknowledged.length === names.length, 'every event forwarded');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
    const elapsed = performance.now() - started;
    assert.deepEqual(producer.acknowledged, names);
    assert.ok(
      producer.sends <= Math.ceil(elapsed / 100) + 1,
      `${producer.sends} batches in ${Math.round(elapsed)} ms`,
    );
  });

  for (const operation of ['read', 'saveCheckpoint', 'release', 'setAside'] as const) {
    it(`restarts after a failed ${operation}, shows it, and still forwards everything`, async () => {
      const { spool, producer, metrics, forwarder } = await forwarderWith([operation]);
      const states: string[] = [];
      const watch = setInterval(() => states.push(forwarder.state.status), 1);
      forwarder.start();
      try {
        await spool.append(events(['kytos/a', 'kytos/bad', 'kytos/b']));
        // A second segment, so the first is released once forwarded.
        await spool.append(
          events(Array.from({ length: 40 }, (_, i) => `kytos/${'x'.repeat(2000)}${i}`)),
        );
        await spool.append(events(['kytos/c']));
        await until(() => producer.acknowledged.includes('kytos/c'), 'kytos/c forwarded');
        await until(() => spool.failed.has(operation), `the ${operation} fault`);
        await until(() => spool.list().length === 1, 'the forwarded segments released');
      } finally {
        clearInterval(watch);
        await forwarder.stop();
        await spool.close();
      }
      for (const name of ['kytos/a', 'kytos/b', 'kytos/c']) {
        assert.ok(producer.acknowledged.includes(name), name);
      }
      assert.ok(states.includes('restarting'), 'the failure showed in the state');
      const restarts = await metrics.registry.getSingleMetricAsString(
        'kafka_events_spool_forwarder_restarts_total',
      );
      assert.match(restarts, /_total 1$/m);
    });
  }

  it('keeps a record Kafka refuses in rejected.spool, but retries a fault of its own', async () => {
    const { spool, producer, forwarder } = await forwarderWith([]);
    let internalFaults = 1;
    const send = producer.send.bind(producer);
    producer.send = (envelopes) =>
      internalFaults-- > 0 ? Promise.reject(new TypeError('a bug of ours')) : send(envelopes);
    forwarder.start();
    try {
      await spool.append(events(['kytos/a', 'kytos/bad']));
      await until(() => producer.acknowledged.includes('kytos/a'), 'kytos/a forwarded');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
    assert.deepEqual(producer.acknowledged, ['kytos/a']);
    const rejected = await spool.read(
      {
        seq: 0,
        path: join(spool.dir, 'rejected.spool'),
        size: statSync(join(spool.dir, 'rejected.spool')).size,
      },
      0,
    );
    assert.deepEqual(
      rejected.envelopes.map((envelope) => envelope.name),
      ['kytos/bad'],
      'only the refused record, not the one our bug failed',
    );
  });

  it('sends a record Kafka refuses to the dead letter topic with the reason; keeps it locally only if that refuses it too', async () => {
    for (const refuseDeadLetters of [false, true]) {
      const { spool, producer, metrics, forwarder } = await forwarderWith([], {
        topic: 'dlq',
        originalTopic: 'event_logs',
      });
      producer.refuseDeadLetters = refuseDeadLetters;
      forwarder.start();
      try {
        await spool.append(events(['kytos/a', 'kytos/bad', 'kytos/c']));
        await until(() => producer.acknowledged.includes('kytos/c'), 'kytos/c forwarded');
      } finally {
        await forwarder.stop();
        await spool.close();
      }
      assert.deepEqual(producer.acknowledged, ['kytos/a', 'kytos/c']);
      const kept = existsSync(join(spool.dir, 'rejected.spool'));
      const counted = (
        await metrics.registry.getSingleMetric('kafka_events_dead_letters_total')?.get()
      )?.values[0]?.value;
      if (refuseDeadLetters) {
        assert.deepEqual(producer.deadLetters, []);
        assert.ok(kept, 'kept in rejected.spool when the dead letter topic refuses it too');
        assert.equal(counted, 0);
      } else {
        assert.equal(producer.deadLetters.length, 1);
        const [dead] = producer.deadLetters;
        assert.equal(dead?.headers['kytos-event-name'], 'kytos/bad');
        assert.equal(dead?.headers['dlq-original-topic'], 'event_logs');
        assert.match(dead?.headers['dlq-reason'] ?? '', /MESSAGE_TOO_LARGE/);
        assert.ok(!kept, 'nothing kept locally');
        assert.equal(counted, 1);
      }
    }
  });

  it('stays down through restarts that fail again, and is up once a batch goes through', async () => {
    const { spool, producer, forwarder } = await forwarderWith([]);
    let checkpointFaults = 3;
    const save = spool.saveCheckpoint.bind(spool);
    spool.saveCheckpoint = (position) =>
      checkpointFaults-- > 0
        ? Promise.reject(new Error('ENOSPC (saveCheckpoint)'))
        : save(position);
    // A slow Kafka: each attempt lasts long enough for the state to be seen while it runs.
    const send = producer.send.bind(producer);
    producer.send = async (envelopes) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return send(envelopes);
    };
    const states: string[] = [];
    const watch = setInterval(() => states.push(forwarder.state.status), 1);
    forwarder.start();
    try {
      await spool.append(events(['kytos/a']));
      await until(() => checkpointFaults < 0 && forwarder.state.status === 'running', 'recovery');
    } finally {
      clearInterval(watch);
      await forwarder.stop();
      await spool.close();
    }
    const first = states.indexOf('restarting');
    const last = states.lastIndexOf('restarting');
    assert.ok(first >= 0, 'the failures showed');
    assert.ok(
      !states.slice(first, last).includes('running'),
      'no "running" between failures of the same cause',
    );
    assert.ok(producer.acknowledged.includes('kytos/a'));
  });
});
