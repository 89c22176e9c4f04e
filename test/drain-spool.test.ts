import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, postJson } from './support/service.js';
import { drainOutcome, runDrainSpool, spawnService } from './support/service-process.js';
import { idCounts, lossAndDuplicates } from './support/topic-reader.js';

const topic = 'drained';

describe('the spool drain command (node dist/src/drain-spool.js)', () => {
  let broker: KafkaBroker;
  let dir: string;
  before(async () => {
    broker = await KafkaBroker.start();
    dir = mkdtempSync(join(tmpdir(), 'kafka-events-drain-'));
  });
  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the spool at SIGTERM while Kafka is away; the command fails by its deadline, then forwards every event once Kafka is back', async (t) => {
    const env = {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: dir,
      // Kafka is away when this instance starts: rules from config, so it can take events at once.
      FILTER_STORE: 'memory',
    };
    await broker.pause();
    const service = await spawnService(env);
    const ids: string[] = [];
    for (let request = 0; request < 20; request++) {
      const events = Array.from({ length: 10 }, () => ({
        name: 'kytos/topology.link_up',
        id: randomUUID(),
        content: { request },
      }));
      const answer = await postJson(service.url + EVENTS_PATH, events);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      ids.push(...events.map((event) => event.id));
    }
    const exited = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null], service.output());
    assert.match(service.output(), /events are left in .* for the next start/);

    const started = performance.now();
    const late = await runDrainSpool({ ...env, SPOOL_DRAIN_TIMEOUT_MS: '3000' });
    t.diagnostic(
      `Kafka away: exit ${late.code} after ${Math.round(performance.now() - started)} ms`,
    );
    assert.equal(late.code, 1, late.stdout + late.stderr);
    assert.match(late.stderr, /events are still in SPOOL_DIR=.* after SPOOL_DRAIN_TIMEOUT_MS=3000/);
    assert.equal(drainOutcome(late).empty, false);

    await broker.resume();
    const drained = await runDrainSpool(env);
    assert.equal(drained.code, 0, drained.stdout + drained.stderr);
    const outcome = drainOutcome(drained);
    assert.equal(outcome.forwarded, ids.length);
    assert.equal(outcome.setAside, 0);
    assert.equal(outcome.empty, true);
    const { lost, duplicates } = lossAndDuplicates(ids, await idCounts(broker.brokers, topic, ids));
    t.diagnostic(`drained ${ids.length} events: ${lost.length} lost, ${duplicates} duplicates`);
    assert.deepEqual(lost, []);

    const again = await runDrainSpool(env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(drainOutcome(again).forwarded, 0, 'nothing is left to forward');
  });

  it('fails when damaged bytes were skipped, naming them, so that the volume is looked at before it goes', async () => {
    const damagedDir = mkdtempSync(join(tmpdir(), 'kafka-events-drain-damaged-'));
    const env = {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: damagedDir,
      FILTER_STORE: 'memory',
    };
    try {
      await broker.pause();
      const service = await spawnService(env);
      for (let request = 0; request < 10; request++) {
        const events = Array.from({ length: 10 }, () => ({
          name: 'kytos/topology.link_up',
          id: randomUUID(),
          content: { request },
        }));
        assert.equal((await postJson(service.url + EVENTS_PATH, events)).status, 202);
      }
      const exited = once(service.child, 'exit');
      service.child.kill('SIGTERM');
      await exited;
      await broker.resume();
      const segment = readdirSync(damagedDir).find((file) => file.startsWith('segment-'));
      assert.ok(segment, 'the spool kept a segment');
      const path = join(damagedDir, segment);
      const bytes = readFileSync(path);
      bytes.fill(0x5a, bytes.length / 2, bytes.length / 2 + 64);
      writeFileSync(path, bytes);

      const result = await runDrainSpool(env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.ok(drainOutcome(result).damaged >= 1);
      assert.match(result.stderr, /damaged stretch\(es\) of the spool were skipped/);
    } finally {
      rmSync(damagedDir, { recursive: true, force: true });
    }
  });

  it('refuses a SPOOL_DIR that does not exist instead of draining nothing', async () => {
    const result = await runDrainSpool({
      KAFKA_BROKERS: broker.brokers,
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: join(dir, 'not-mounted'),
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /SPOOL_DIR=.*not-mounted does not exist/);
  });

  it('refuses to run in kafka mode, saying why', async () => {
    const result = await runDrainSpool({ KAFKA_BROKERS: broker.brokers, DELIVERY_MODE: 'kafka' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /DELIVERY_MODE=kafka: the drain command forwards a spool/);
  });
});
