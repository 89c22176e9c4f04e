import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  KafkaFailure,
  kafkaSettings,
  type Refusal,
  RetryPolicy,
  type SendOptions,
} from '../../kafka/index.js';
import { publisherSettings, type PublisherSettings } from '../publisher.settings.js';
import { EventMetrics } from '../../metrics/index.js';
import { EventEnvelope } from '../event-envelope.js';
import type { ReadBatch } from './segment-reader.js';
import { Spool, SpoolPosition, SpoolSegment } from './spool.js';
import {
  type FinishOutcome,
  type ForwardedRecordFit,
  SpoolForwarder,
  type StuckBatchCheck,
} from './spool-forwarder.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

type Operation = 'read' | 'saveCheckpoint' | 'release' | 'setAside';

/** A real spool on disk whose file operations fail once each, as a full or broken disk makes them. */
class FailingSpool extends Spool {
  readonly failed = new Set<Operation>();
  readonly saves: SpoolPosition[] = [];

  constructor(
    settings: PublisherSettings,
    private readonly failOnce: Operation[],
  ) {
    super(settings, kafkaSettings.parse({}));
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

  override async setAside(envelope: EventEnvelope, segment: SpoolSegment): Promise<string> {
    this.fault('setAside');
    return super.setAside(envelope, segment);
  }
}

/**
 * Stands in for KafkaProducer: keeps what it acknowledged; refuses for good names starting with
 * kytos/bad, acknowledging the rest of the batch, and sends those to the dead letter topic when
 * `deadLetterTopic` is set, unless `refuseDeadLetters`.
 */
class RecordingProducer {
  readonly missing: string[] = [];
  readonly depth = 0;
  readonly acknowledged: string[] = [];
  sends = 0;
  deadLetterTopic?: string;
  refuseDeadLetters = false;
  readonly deadLetters: string[] = [];

  send(envelopes: readonly EventEnvelope[]): Promise<ReadonlyMap<EventEnvelope, Refusal>> {
    this.sends++;
    const refusals = new Map<EventEnvelope, Refusal>();
    for (const envelope of envelopes) {
      if (!envelope.name.startsWith('kytos/bad')) {
        this.acknowledged.push(envelope.name);
        continue;
      }
      const refusal: Refusal = { failure: KafkaFailure.refused('MESSAGE_TOO_LARGE: too large') };
      if (this.deadLetterTopic !== undefined && !this.refuseDeadLetters) {
        refusal.deadLetterTopic = this.deadLetterTopic;
        this.deadLetters.push(envelope.name);
      }
      refusals.set(envelope, refusal);
    }
    return Promise.resolve(refusals);
  }
}

/** Events named `names`, each with `padding` bytes of content. */
function events(names: string[], padding = 0): EventEnvelope[] {
  const content = padding > 0 ? { pad: 'x'.repeat(padding) } : {};
  return names.map((name) =>
    EventEnvelope.fromEvent({ name, content }, new Date(0), { topic: 'event_logs' }),
  );
}

/** Kafka's limits as far as known: none, so every record fits. */
const NO_LIMITS: ForwardedRecordFit = { problem: () => undefined };

async function forwarderWith(
  failOnce: Operation[],
  env: Record<string, string> = {},
  fit: ForwardedRecordFit = NO_LIMITS,
  stuck: StuckBatchCheck = { afterMs: 60_000, kafkaAnswers: () => true },
  dlqTopic?: string,
) {
  const dir = mkdtempSync(join(tmpdir(), 'forwarder-spec-'));
  dirs.push(dir);
  const settings = {
    DELIVERY_MODE: 'spool',
    SPOOL_DIR: dir,
    SPOOL_SEGMENT_BYTES: '65536',
    KAFKA_RETRY_INITIAL_MS: '10',
    KAFKA_RETRY_MAX_MS: '50',
    ...env,
  };
  const delivery = publisherSettings.parse(settings);
  const spool = new FailingSpool(delivery, failOnce);
  await spool.open();
  const producer = new RecordingProducer();
  const metrics = new EventMetrics();
  const forwarder = new SpoolForwarder(
    spool,
    producer,
    new RetryPolicy(kafkaSettings.parse(settings).retry),
    metrics,
    delivery.spoolForwardLingerMs,
    fit,
    stuck,
    dlqTopic,
  );
  return { spool, producer, metrics, forwarder };
}

async function rejectedNames(spool: Spool): Promise<string[]> {
  const path = join(spool.dir, 'rejected.spool');
  const rejected = await spool.read(
    { seq: 0, path, size: statSync(path).size, setAsideBytes: 0 },
    0,
  );
  return rejected.envelopes.map((envelope) => envelope.name);
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

  it('finish: forwards what is left, then stops with the spool empty (SIGTERM, the drain command)', async () => {
    const { spool, producer, forwarder } = await forwarderWith([]);
    const names = Array.from({ length: 1200 }, (_, i) => `kytos/e${i}`);
    for (let start = 0; start < names.length; start += 300) {
      await spool.append(events(names.slice(start, start + 300)));
    }
    forwarder.start();
    const outcome = await forwarder.finish(10_000, true);
    await spool.close();
    assert.deepEqual(outcome, {
      forwarded: names.length,
      setAside: 0,
      forwardedByFinish: names.length,
      empty: true,
      damaged: 0,
    });
    assert.deepEqual(producer.acknowledged, names);
    const end = spool.list().at(-1);
    assert.deepEqual(await spool.loadCheckpoint(), { seq: end?.seq, offset: end?.size });
  });

  it('finish: forwards what was appended while it saved its checkpoint, before it ends', async () => {
    const { spool, producer, forwarder } = await forwarderWith([]);
    const save = spool.saveCheckpoint.bind(spool);
    let saves = 0;
    let finishing: Promise<FinishOutcome> | undefined;
    // The SIGTERM race: the last requests' appends land, and finish is called, while the
    // forwarder, caught up, is saving its checkpoint.
    spool.saveCheckpoint = async (position) => {
      if (++saves === 2) {
        await spool.append(events(['kytos/late']));
        finishing = forwarder.finish(10_000, false);
      }
      return save(position);
    };
    await spool.append(events(['kytos/first']));
    forwarder.start();
    for (let wait = 0; saves < 1 && wait < 100; wait++) await sleep(20);
    await spool.append(events(['kytos/second']));
    for (let wait = 0; !finishing && wait < 100; wait++) await sleep(20);
    const outcome = await (finishing ?? assert.fail('finish was never called'));
    await spool.close();
    assert.equal(outcome.empty, true);
    assert.deepEqual(producer.acknowledged, ['kytos/first', 'kytos/second', 'kytos/late']);
  });

  it('finish: stops at once while Kafka does not answer; the next start forwards what was left', async () => {
    const first = await forwarderWith([], {}, NO_LIMITS, {
      afterMs: 60_000,
      kafkaAnswers: () => false,
    });
    const names = Array.from({ length: 600 }, (_, i) => `kytos/e${i}`);
    await first.spool.append(events(names));
    first.forwarder.start();
    const started = performance.now();
    const outcome = await first.forwarder.finish(10_000, true);
    await first.spool.close();
    assert.equal(outcome.empty, false);
    assert.ok(performance.now() - started < 2000, 'it did not wait for its deadline');

    const next = await forwarderWith([], { SPOOL_DIR: first.spool.dir });
    next.forwarder.start();
    assert.equal((await next.forwarder.finish(10_000, false)).empty, true);
    await next.spool.close();
    const forwarded = new Set([...first.producer.acknowledged, ...next.producer.acknowledged]);
    assert.deepEqual(
      names.filter((name) => !forwarded.has(name)),
      [],
    );
  });

  it('finish: gives up at its deadline while a batch waits for Kafka, the batch kept', async () => {
    const { spool, producer, forwarder } = await forwarderWith([]);
    producer.send = (_envelopes, options?: SendOptions) =>
      new Promise((_resolve, reject) =>
        options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    await spool.append(events(['kytos/a', 'kytos/b']));
    forwarder.start();
    const started = performance.now();
    const outcome = await forwarder.finish(300, false);
    await spool.close();
    assert.deepEqual(outcome, {
      forwarded: 0,
      setAside: 0,
      forwardedByFinish: 0,
      empty: false,
      damaged: 0,
    });
    assert.ok(performance.now() - started < 3000, 'it ended at its deadline');
    assert.equal((await spool.loadCheckpoint()).offset, 0, 'the waiting batch is not passed');
  });

  it('while it keeps up, sends at most one batch per SPOOL_FORWARD_LINGER_MS, every event in order', async () => {
    const { spool, producer, forwarder } = await forwarderWith([], {
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

  for (const operation of ['read', 'saveCheckpoint', 'release'] as const) {
    it(`restarts after a failed ${operation}, shows it, and still forwards everything`, async () => {
      const { spool, producer, metrics, forwarder } = await forwarderWith([operation]);
      const states: string[] = [];
      const watch = setInterval(() => states.push(forwarder.state.status), 1);
      forwarder.start();
      try {
        await spool.append(events(['kytos/a', 'kytos/bad', 'kytos/b']));
        // A second segment, so the first is released once forwarded.
        await spool.append(
          events(
            Array.from({ length: 40 }, (_, i) => `kytos/x${i}`),
            2000,
          ),
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

  it('sets aside a record Kafka can never take, found once its limits are known, and is stuck meanwhile (#33)', async () => {
    // Kafka's limits are unknown until `known`; then kytos/huge is too large for any request.
    let known = false;
    const fit: ForwardedRecordFit = {
      problem: (record) =>
        known && record.name === 'kytos/huge'
          ? Promise.resolve('is larger than the brokers take')
          : undefined,
    };
    const { spool, producer, forwarder } = await forwarderWith([], {}, fit, {
      afterMs: 200,
      kafkaAnswers: () => true,
    });
    // As a broker closing the connection of every request carrying it: never answered.
    const send = producer.send.bind(producer);
    producer.send = (envelopes, options?: { signal?: AbortSignal }) =>
      envelopes.some((envelope) => envelope.name === 'kytos/huge')
        ? new Promise((_, reject) =>
            options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
          )
        : send(envelopes);
    forwarder.start();
    try {
      await spool.append(events(['kytos/a', 'kytos/huge', 'kytos/b']));
      await until(() => forwarder.state.status === 'stuck', 'the forwarder shown stuck');
      assert.deepEqual(producer.acknowledged, []);
      known = true;
      await until(() => producer.acknowledged.length === 2, 'the others forwarded');
      await until(() => forwarder.state.status === 'running', 'the forwarder running again');
      await spool.append(events(['kytos/c']));
      await until(() => producer.acknowledged.includes('kytos/c'), 'a later event forwarded');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
    assert.deepEqual(producer.acknowledged, ['kytos/a', 'kytos/b', 'kytos/c']);
    assert.deepEqual(await rejectedNames(spool), ['kytos/huge']);
  });

  it('sends a record Kafka can never take to the dead letter topic without its value, as Kafka refusals are (#33)', async () => {
    const fit: ForwardedRecordFit = {
      problem: (record) =>
        record.name.endsWith('huge')
          ? Promise.resolve('is larger than the brokers take')
          : undefined,
    };
    const { spool, producer, forwarder } = await forwarderWith(
      [],
      {},
      fit,
      undefined,
      'dead_letters',
    );
    const sent: EventEnvelope[] = [];
    const send = producer.send.bind(producer);
    producer.send = (envelopes) => {
      sent.push(...envelopes);
      return send(envelopes);
    };
    forwarder.start();
    try {
      // kytos/bad-huge's letter is refused too (the stand-in refuses kytos/bad*): kept locally.
      await spool.append(events(['kytos/a', 'kytos/huge', 'kytos/bad-huge', 'kytos/b'], 100));
      await until(() => producer.acknowledged.includes('kytos/b'), 'the batch forwarded');
      await until(() => existsSync(join(spool.dir, 'rejected.spool')), 'the refused letter kept');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
    const letter = sent.find((envelope) => envelope.name === 'kytos/huge');
    assert.equal(letter?.topic, 'dead_letters');
    assert.equal(letter.value.length, 0, 'the value is what does not fit');
    assert.match(letter.toMessage().headers['dlq-reason'], /^MESSAGE_TOO_LARGE/);
    assert.equal(letter.toMessage().headers['dlq-original-topic'], 'event_logs');
    assert.deepEqual(
      sent.filter((envelope) => envelope.topic === 'event_logs').map(({ name }) => name),
      ['kytos/a', 'kytos/b'],
      'the records that fit go to their topic, the others never',
    );
    assert.deepEqual(await rejectedNames(spool), ['kytos/bad-huge']);
  });

  it('is not stuck while Kafka does not answer at all (an outage the spool is there for)', async () => {
    const { spool, producer, forwarder } = await forwarderWith([], {}, NO_LIMITS, {
      afterMs: 100,
      kafkaAnswers: () => false,
    });
    producer.send = (_, options?: { signal?: AbortSignal }) =>
      new Promise((_resolve, reject) =>
        options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    forwarder.start();
    try {
      await spool.append(events(['kytos/a']));
      await until(() => forwarder.batchWaitedMs > 300, 'the batch waiting');
      assert.equal(forwarder.state.status, 'running');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
  });

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
    assert.deepEqual(
      await rejectedNames(spool),
      ['kytos/bad'],
      'only the refused record, not the one our bug failed',
    );
  });

  it('keeps locally only the refused records no dead letter topic took', async () => {
    for (const refuseDeadLetters of [false, true]) {
      const { spool, producer, metrics, forwarder } = await forwarderWith([]);
      producer.deadLetterTopic = 'dlq';
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
      assert.equal(producer.sends, 1, 'the batch is not sent again');
      const rejected = (
        await metrics.registry.getSingleMetric('kafka_events_failed_total')?.get()
      )?.values.find((value) => value.labels.reason === 'rejected')?.value;
      if (refuseDeadLetters) {
        assert.deepEqual(await rejectedNames(spool), ['kytos/bad']);
        assert.equal(rejected, 1);
      } else {
        assert.ok(!existsSync(join(spool.dir, 'rejected.spool')), 'nothing kept locally');
        assert.equal(rejected, undefined);
      }
    }
  });

  it('sets a refused record aside with the spool at its cap, without resending what Kafka acknowledged', async () => {
    const { spool, producer, metrics, forwarder } = await forwarderWith([], {
      SPOOL_MAX_BYTES: String(1024 * 1024),
      SPOOL_SEGMENT_BYTES: '65536',
    });
    const filler = (i: number) => `kytos/${String(i).padStart(5, '0')}`;
    await spool.append(events(['kytos/bad-first']));
    let appended = 0;
    for (; appended < 1000; appended++) {
      try {
        await spool.append(events([filler(appended)], 3000));
      } catch (error) {
        assert.match(String(error), /the spool is full/);
        break;
      }
    }
    assert.ok(appended > 100 && appended < 1000, `${appended} appended before the cap`);
    forwarder.start();
    try {
      await until(
        () => producer.acknowledged.length === appended,
        'every accepted event forwarded',
      );
      await until(() => spool.list().length === 1, 'the forwarded segments released');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
    const restarts = await metrics.registry.getSingleMetricAsString(
      'kafka_events_spool_forwarder_restarts_total',
    );
    assert.match(restarts, /_total 0$/m, 'never wedged');
    assert.equal(new Set(producer.acknowledged).size, appended, 'each acknowledged once');
    assert.deepEqual(await rejectedNames(spool), ['kytos/bad-first']);
    const rejectedBytes = statSync(join(spool.dir, 'rejected.spool')).size;
    const active = spool.list()[0]?.size ?? 0;
    assert.equal(spool.bytes, rejectedBytes + active, 'the set-aside record counted once');
  });

  it('retries a failed set-aside alone, never the batch', async () => {
    const { spool, producer, metrics, forwarder } = await forwarderWith(['setAside']);
    forwarder.start();
    try {
      await spool.append(events(['kytos/a', 'kytos/bad', 'kytos/b']));
      await until(() => spool.failed.has('setAside'), 'the setAside fault');
      await until(() => existsSync(join(spool.dir, 'rejected.spool')), 'the record set aside');
    } finally {
      await forwarder.stop();
      await spool.close();
    }
    assert.deepEqual(producer.acknowledged, ['kytos/a', 'kytos/b']);
    assert.deepEqual(await rejectedNames(spool), ['kytos/bad']);
    const restarts = await metrics.registry.getSingleMetricAsString(
      'kafka_events_spool_forwarder_restarts_total',
    );
    assert.match(restarts, /_total 1$/m, 'the failed disk write shows as one restart');
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
