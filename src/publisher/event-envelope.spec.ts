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
    const envelope = EventEnvelope.fromEvent(event, receivedAt, { topic: 'event_logs' });
    assert.deepEqual(JSON.parse(envelope.value.toString('utf8')), {
      event: event.name,
      message: event.content,
      id: event.id,
      timestamp: event.timestamp,
    });
  });

  it('keys by name by default, by id or not at all when configured', () => {
    assert.equal(
      EventEnvelope.fromEvent(event, receivedAt, { topic: 'event_logs' }).key,
      event.name,
    );
    assert.equal(
      EventEnvelope.fromEvent(event, receivedAt, { topic: 'event_logs', recordKey: 'id' }).key,
      event.id,
    );
    assert.equal(
      EventEnvelope.fromEvent(event, receivedAt, { topic: 'event_logs', recordKey: 'none' }).key,
      null,
    );
  });

  it('generates a uuid4 id and the time of receipt when the sender gave none', () => {
    const envelope = EventEnvelope.fromEvent({ name: 'x', content: {} }, receivedAt, {
      topic: 'event_logs',
      recordKey: 'id',
    });
    const record = JSON.parse(envelope.value.toString('utf8')) as Record<string, unknown>;
    assert.match(
      String(record.id),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(record.timestamp, '2026-02-10T14:00:00.000Z');
    assert.equal(envelope.key, record.id);
  });

  it('carries name, id and content type in the headers of a fresh message each time', () => {
    const envelope = EventEnvelope.fromEvent(event, receivedAt, { topic: 'event_logs' });
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
      receivedAt,
      { topic: 'event_logs' },
    );
    const record = JSON.parse(envelope.value.toString('utf8')) as { message: { d: string } };
    assert.equal(record.message.d, '✓');
    assert.ok(envelope.size > envelope.value.length);
  });

  it('writes a CloudEvent in binary mode: the attributes in ce_ headers, the same value', () => {
    const kytos = EventEnvelope.fromEvent(event, receivedAt, { topic: 'event_logs' });
    const cloudEvent = EventEnvelope.fromEvent(event, receivedAt, {
      topic: 'event_logs',
      cloudEventsSource: 'kytos',
    });
    assert.deepEqual(cloudEvent.toMessage(), {
      key: event.name,
      value: kytos.value,
      headers: {
        'kytos-event-name': event.name,
        'kytos-event-id': event.id,
        'content-type': 'application/json',
        ce_specversion: '1.0',
        ce_id: event.id,
        ce_source: 'kytos',
        ce_type: event.name,
        ce_time: event.timestamp,
      },
    });
  });

  it("keeps a posted CloudEvent's source and attributes, and the record's trace context", () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const envelope = EventEnvelope.fromEvent(
      {
        name: 'com.example.door.opened',
        content: {},
        id: 'A234-1234-1234',
        cloudEvent: { source: '/doors', attributes: { subject: 'door-3', floor: '2' } },
      },
      receivedAt,
      { topic: 'event_logs', cloudEventsSource: 'kytos', traceHeaders: { traceparent } },
    );
    const { headers } = envelope.toMessage();
    assert.equal(headers.ce_source, '/doors');
    assert.equal(headers.ce_subject, 'door-3');
    assert.equal(headers.ce_floor, '2');
    assert.equal(headers.ce_time, receivedAt.toISOString());
    assert.equal(headers.traceparent, traceparent);
    const plain = EventEnvelope.fromEvent(
      { name: 'x', content: {}, cloudEvent: { source: '/doors', attributes: {} } },
      receivedAt,
      { topic: 'event_logs' },
    );
    assert.equal(plain.toMessage().headers.ce_source, undefined, 'kytos format: no ce_ headers');
  });
});
