import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestSettings } from './ingest.settings.js';
import { EventBatchPipe } from './event-batch.pipe.js';
import { EventTooLargeError, InvalidEventError } from './ingest-errors.js';

const pipe = new EventBatchPipe(ingestSettings.parse({ INGEST_MAX_BATCH_EVENTS: '10' }));

function eventsOf(body: unknown, mediaType = 'application/json') {
  return pipe.transform({ body, mediaType }).events;
}

function detailsOf(body: unknown, mediaType = 'application/json'): unknown {
  try {
    eventsOf(body, mediaType);
  } catch (error) {
    assert.ok(error instanceof InvalidEventError);
    return error.problems;
  }
  assert.fail('expected the batch to be refused');
}

describe('EventBatchPipe', () => {
  it('takes one event as a batch of one, and an array as it is', () => {
    const event = { name: 'kytos/x', content: { a: 1 } };
    assert.deepEqual(
      eventsOf(event).map((e) => e.name),
      ['kytos/x'],
    );
    assert.equal(eventsOf([event, event]).length, 2);
  });

  it('does not copy the content, and refuses fields a Kytos event does not have', () => {
    const content = { big: [1, 2, 3] };
    const [event] = eventsOf({ name: 'kytos/x', content });
    assert.equal(event?.content, content);
    assert.deepEqual(detailsOf([{ name: 'kytos/x', content, time_stamp: 'x' }]), [
      { index: 0, field: 'time_stamp', reason: 'is not a field of a Kytos event' },
    ]);
  });

  it('names the index and field of every problem, the type problem first', () => {
    assert.deepEqual(detailsOf([{ name: 'kytos/x', content: {} }, { name: 7, content: null }, 3]), [
      { index: 1, field: 'name', reason: 'must be a string' },
      { index: 1, field: 'content', reason: 'must be a JSON object' },
      { index: 2, field: 'event', reason: 'must be a JSON object' },
    ]);
  });

  it('accepts id and timestamp as Kytos writes them, and refuses others', () => {
    const ok = {
      name: 'kytos/x',
      content: {},
      id: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01',
      timestamp: '2026-02-10T14:00:01.104512+00:00',
    };
    assert.equal(eventsOf(ok).length, 1);
    assert.deepEqual(detailsOf({ ...ok, id: 'x', timestamp: '2026-13-40' }), [
      { index: 0, field: 'id', reason: 'must be a UUID' },
      { index: 0, field: 'timestamp', reason: 'must be an RFC 3339 (ISO-8601) date-time' },
    ]);
  });

  it('refuses a batch over the configured count as too large', () => {
    assert.throws(
      () => eventsOf(Array.from({ length: 11 }, () => ({ name: 'a', content: {} }))),
      EventTooLargeError,
    );
  });

  it('lists at most 20 problems of a large bad batch', () => {
    const details = detailsOf(
      Array.from({ length: 10 }, () => ({ name: '', content: 1, id: 'x' })),
    ) as unknown[];
    assert.equal(details.length, 20);
  });
});

const doorOpened = {
  specversion: '1.0',
  id: 'A234-1234-1234',
  source: 'https://sensors.example.net/doors',
  type: 'net.example.door.opened',
  time: '2026-11-26T10:00:00Z',
  subject: 'door-3',
  data: { door: 3 },
};

describe('EventBatchPipe and CloudEvents', () => {
  it('reads one CloudEvent as an event: type the name, data the content, source and subject kept', () => {
    assert.deepEqual(eventsOf(doorOpened, 'application/cloudevents+json'), [
      {
        name: 'net.example.door.opened',
        content: { door: 3 },
        id: 'A234-1234-1234',
        timestamp: '2026-11-26T10:00:00Z',
        cloudEvent: {
          source: 'https://sensors.example.net/doors',
          attributes: { subject: 'door-3' },
        },
      },
    ]);
  });

  it('reads a batch, continues a traceparent, and takes an event without data as {}', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { specversion, source, type } = doorOpened;
    const events = eventsOf(
      [doorOpened, { specversion, id: 'B', source, type, traceparent, tracestate: 'k=v' }],
      'application/cloudevents-batch+json',
    );
    assert.equal(events.length, 2);
    assert.deepEqual(events[1]?.content, {});
    assert.deepEqual(events[1]?.trace, { traceparent, tracestate: 'k=v' });
  });

  it('refuses what is not a CloudEvent it can carry, naming each problem', () => {
    assert.deepEqual(
      detailsOf(
        { ...doorOpened, specversion: '0.3', source: 'a b', data_base64: 'AAAA', color: 'red' },
        'application/cloudevents+json',
      ),
      [
        { index: 0, field: 'data_base64', reason: 'is not taken: the record carries data as JSON' },
        {
          index: 0,
          field: 'color',
          reason:
            'is not an attribute this service carries (extension attributes other than traceparent and tracestate are refused)',
        },
        { index: 0, field: 'specversion', reason: 'must be "1.0"' },
        {
          index: 0,
          field: 'source',
          reason: 'must be a URI-reference of 1 to 1024 printable ASCII characters, no spaces',
        },
      ],
    );
    assert.deepEqual(
      detailsOf({ ...doorOpened, tracestate: null, data: null }, 'application/cloudevents+json'),
      [
        { index: 0, field: 'data', reason: 'must be a JSON object' },
        { index: 0, field: 'tracestate', reason: 'must be a string' },
      ],
      'an optional attribute may be left out, not null',
    );
    assert.deepEqual(detailsOf({ type: 'x' }, 'application/cloudevents+json'), [
      { index: 0, field: 'specversion', reason: 'is required' },
      { index: 0, field: 'id', reason: 'is required' },
      { index: 0, field: 'source', reason: 'is required' },
    ]);
  });

  it('holds the media type to its shape: one object, or an array', () => {
    assert.throws(() => eventsOf([doorOpened], 'application/cloudevents+json'), InvalidEventError);
    assert.throws(
      () => eventsOf(doorOpened, 'application/cloudevents-batch+json'),
      InvalidEventError,
    );
    assert.throws(
      () => eventsOf(doorOpened, 'application/json'),
      InvalidEventError,
      'a CloudEvent sent as application/json is read as a Kytos event, and refused',
    );
  });
});

describe('EventBatchPipe and Kytos trace_parent', () => {
  it("keeps an event's trace_parent, refuses a malformed one, ignores all-zero ids", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const [traced] = eventsOf({ name: 'kytos/x', content: {}, trace_parent: traceparent });
    assert.deepEqual(traced?.trace, { traceparent });
    assert.deepEqual(detailsOf({ name: 'kytos/x', content: {}, trace_parent: 'abc' }), [
      {
        index: 0,
        field: 'trace_parent',
        reason: 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)',
      },
    ]);
    const zeros = `00-${'0'.repeat(32)}-b7ad6b7169203331-01`;
    const [ignored] = eventsOf({ name: 'kytos/x', content: {}, trace_parent: zeros });
    assert.equal(ignored?.trace, undefined);
  });
});
