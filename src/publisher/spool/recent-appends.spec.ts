import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventEnvelope } from '../event-envelope.js';
import { RecentAppends } from './recent-appends.js';

function envelopes(count: number, from = 0): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) =>
    EventEnvelope.fromEvent({ name: `kytos/e${from + i}`, content: {} }, new Date(0)),
  );
}

const names = (batch: { envelopes: EventEnvelope[] } | undefined) =>
  batch?.envelopes.map((envelope) => envelope.name);

describe('RecentAppends', () => {
  it('gives the records from an exact position on, with the next position', () => {
    const recent = new RecentAppends(1 << 20);
    recent.add(1, 0, envelopes(3), [100, 100, 100]);
    recent.add(1, 300, envelopes(2, 3), [50, 50]);
    const batch = recent.take(1, 100, 10, 1 << 20);
    assert.deepEqual(names(batch), ['kytos/e1', 'kytos/e2', 'kytos/e3', 'kytos/e4']);
    assert.equal(batch?.next, 400);
  });

  it('stops at the batch limits as readSegment does (the record crossing the bytes is in)', () => {
    const recent = new RecentAppends(1 << 20);
    recent.add(1, 0, envelopes(5), [100, 100, 100, 100, 100]);
    assert.deepEqual(names(recent.take(1, 0, 2, 1 << 20)), ['kytos/e0', 'kytos/e1']);
    const byBytes = recent.take(1, 0, 10, 150);
    assert.deepEqual(names(byBytes), ['kytos/e0', 'kytos/e1']);
    assert.equal(byBytes?.next, 200);
  });

  it('has nothing for a position it does not hold: mid-record, another segment, or forgotten', () => {
    const recent = new RecentAppends(1 << 20);
    recent.add(2, 1000, envelopes(2), [100, 100]);
    assert.equal(recent.take(2, 1050, 10, 1 << 20), undefined);
    assert.equal(recent.take(1, 1000, 10, 1 << 20), undefined);
    assert.equal(recent.take(2, 900, 10, 1 << 20), undefined);
    // Moving past a record forgets it: the forwarder does not go back.
    assert.deepEqual(names(recent.take(2, 1100, 10, 1 << 20)), ['kytos/e1']);
    assert.equal(recent.take(2, 1000, 10, 1 << 20), undefined);
  });

  it('does not run a batch across segments', () => {
    const recent = new RecentAppends(1 << 20);
    recent.add(1, 0, envelopes(1), [100]);
    recent.add(2, 0, envelopes(1, 1), [100]);
    assert.deepEqual(names(recent.take(1, 0, 10, 1 << 20)), ['kytos/e0']);
    assert.deepEqual(names(recent.take(2, 0, 10, 1 << 20)), ['kytos/e1']);
  });

  it('keeps at most its bytes: the oldest go first, and are read from disk instead', () => {
    const recent = new RecentAppends(250);
    recent.add(1, 0, envelopes(4), [100, 100, 100, 100]);
    assert.equal(recent.take(1, 0, 10, 1 << 20), undefined);
    assert.equal(recent.take(1, 100, 10, 1 << 20), undefined);
    assert.deepEqual(names(recent.take(1, 200, 10, 1 << 20)), ['kytos/e2', 'kytos/e3']);
  });

  it('gives the same answers across its compactions', () => {
    const recent = new RecentAppends(10_000);
    let offset = 0;
    for (let i = 0; i < 5000; i++) {
      recent.add(1, offset, envelopes(1, i), [100]);
      assert.deepEqual(names(recent.take(1, offset, 10, 1 << 20)), [`kytos/e${i}`]);
      offset += 100;
    }
    recent.add(1, offset, envelopes(200, 5000), Array<number>(200).fill(100));
    assert.equal(recent.take(1, offset, 1000, 1 << 20)?.envelopes.length, undefined);
    assert.equal(recent.take(1, offset + 100 * 100, 1000, 1 << 20)?.envelopes.length, 100);
  });
});
