import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventMetrics } from '../metrics/index.js';
import { EventEnvelope } from './event-envelope.js';
import { KafkaDelivery } from './kafka-delivery.js';

const idleProducer = { missing: [], depth: 0, send: () => Promise.resolve(new Map()) };

describe('KafkaDelivery.tooLarge (#33)', () => {
  it('names a request larger than PUBLISH_MAX_QUEUED_BYTES, which the queue would refuse on every retry', () => {
    const envelope = EventEnvelope.fromEvent(
      { name: 'kytos/big', content: { pad: 'x'.repeat(1000) } },
      new Date(0),
      { topic: 'event_logs' },
    );
    const delivery = new KafkaDelivery(idleProducer, new EventMetrics(), envelope.size * 2);
    assert.equal(delivery.tooLarge([envelope, envelope]), undefined);
    assert.match(
      String(delivery.tooLarge([envelope, envelope, envelope])),
      new RegExp(
        `^its 3 events are ${envelope.size * 3} bytes as Kafka records, more than PUBLISH_MAX_QUEUED_BYTES \\(${envelope.size * 2}\\)`,
      ),
    );
  });
});
