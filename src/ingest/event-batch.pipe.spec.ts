import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAppConfig } from '../config/app-config.js';
import { EventBatchPipe } from './event-batch.pipe.js';
import { EventTooLargeError, InvalidEventError } from './ingest-errors.js';

const pipe = new EventBatchPipe(
  loadAppConfig({ AUTH_DISABLED: 'true', INGEST_MAX_BATCH_EVENTS: '10' }),
);

function eventsOf(body: unknown) {
  return pipe.transform({ body, exactNumbers: false }).events;
}

function detailsOf(body: unknown): unknown {
  try {
    eventsOf(body);
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

describe('EventBatchPipe and exact numbers', () => {
  it("carries the body reader's exact-number flag on the batch", () => {
    const body = { name: 'kytos/x', content: {} };
    assert.equal(pipe.transform({ body, exactNumbers: true }).exactNumbers, true);
    assert.equal(pipe.transform({ body, exactNumbers: false }).exactNumbers, false);
  });
});
