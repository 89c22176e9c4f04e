import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { kafkaSettings, type Refusal, RetryPolicy } from '../../kafka/index.js';
import { publisherSettings } from '../publisher.settings.js';
import { EventMetrics } from '../../metrics/index.js';
import { EventEnvelope } from '../event-envelope.js';
import { SpoolDelivery } from './spool-delivery.js';

const dir = mkdtempSync(join(tmpdir(), 'spool-delivery-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SpoolDelivery', () => {
  it('answers 202 once the events are in the spool, and forwards them after bootstrap', async () => {
    const settings = publisherSettings.parse({ DELIVERY_MODE: 'spool', SPOOL_DIR: dir });
    const sent: string[] = [];
    const producer = {
      missing: [],
      depth: 0,
      send: (envelopes: readonly EventEnvelope[]) => {
        sent.push(...envelopes.map((envelope) => envelope.name));
        return Promise.resolve(new Map<EventEnvelope, Refusal>());
      },
    };
    const metrics = new EventMetrics();
    const delivery = new SpoolDelivery(
      producer,
      settings,
      kafkaSettings.parse({}),
      new RetryPolicy(kafkaSettings.parse({}).retry),
      metrics,
      { problem: () => undefined },
      { afterMs: 60_000, kafkaAnswers: () => true },
    );
    await delivery.onModuleInit();
    const envelope = EventEnvelope.fromEvent({ name: 'kytos/x', content: {} }, new Date(), {
      topic: 'event_logs',
    });
    await delivery.publish([envelope]);
    assert.ok(readdirSync(dir).some((name) => name.startsWith('segment-')));
    assert.deepEqual(sent, [], 'nothing leaves before the forwarder starts');
    assert.deepEqual(delivery.receipt({ accepted: 3, delivered: 1, filtered: 2, duplicates: 0 }), {
      status: 202,
      body: { accepted: 3, spooled: 1, filtered: 2, duplicates: 0 },
    });
    delivery.onApplicationBootstrap();
    for (let waited = 0; sent.length === 0 && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await delivery.onApplicationShutdown();
    assert.deepEqual(sent, ['kytos/x']);
    assert.equal(delivery.problem, undefined);
    assert.match(await metrics.registry.metrics(), /kafka_events_spool_forwarder_up 1/);
  });
});
