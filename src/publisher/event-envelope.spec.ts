import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventEnvelope } from './event-envelope.js';

const receivedAt = new Date('2026-02-10T14:00:00.000Z');
const event = {
  name: 'kytos/topology.link_up',
  content: { link: { id: 'abc', endpoint_a: { port_number: 1 } } },
  id: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01',
  timestamp: '2026-02-10T14:00:01.104512+00:00',
};

describe('EventEnvelope', () => {
  it('serializes the record format: the NApp fields plus id and timestamp', () => {
    const envelope = EventEnvelope.fromEvent(event, 'name', receivedAt);
    assert.deepEqual(JSON.parse(envelope.value.toString('utf8')), {
      event: event.name,
      message: event.content,
      id: event.id,
      timestamp: event.timestamp,
    });
  });

  it('keys by name by default, by id or not at all when configured', () => {
    assert.equal(EventEnvelope.fromEvent(event, 'name', receivedAt).key, event.name);
    assert.equal(EventEnvelope.fromEvent(event, 'id', receivedAt).key, event.id);
    assert.equal(EventEnvelope.fromEvent(event, 'none', receivedAt).key, null);
  });

  it('generates a uuid4 id and the time of receipt when the sender gave none', () => {
    const envelope = EventEnvelope.fromEvent({ name: 'x', content: {} }, 'id', receivedAt);
    const record = JSON.parse(envelope.value.toString('utf8')) as Record<string, unknown>;
    assert.match(
      String(record.id),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(record.timestamp, '2026-02-10T14:00:00.000Z');
    assert.equal(envelope.key, record.id);
  });

  it('carries name, id and content type in the headers of a fresh message each time', () => {
    const envelope = EventEnvelope.fromEvent(event, 'name', receivedAt);
    const first = envelope.toMessage();
    assert.deepEqual(first.headers, {
      'kytos-event-name': event.name,
      'kytos-event-id': event.id,
      'content-type': 'application/json',
    });
    assert.notEqual(envelope.toMessage(), first);
    assert.equal(envelope.toMessage().value, first.value);
  });

  it('keeps non-ASCII names and contents intact as UTF-8', () => {
    const envelope = EventEnvelope.fromEvent(
      { name: 'kytos/ünï', content: { d: '✓' } },
      'name',
      receivedAt,
    );
    const record = JSON.parse(envelope.value.toString('utf8')) as { message: { d: string } };
    assert.equal(record.message.d, '✓');
    assert.ok(envelope.size > envelope.value.length);
  });
});
