import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringIds } from './expiring-ids.js';

describe('ExpiringIds', () => {
  it('knows an id until its expiry, and from a new add until the new one', () => {
    const ids = new ExpiringIds();
    ids.add('a', 10);
    assert.ok(ids.has('a', 10));
    ids.add('a', 20);
    assert.ok(ids.has('a', 15), 'added again: expires at 20');
    assert.ok(!ids.has('a', 21));
    assert.equal(ids.size, 0);
  });

  it('forgets the oldest first, and expired ids behind a live one only in a full pass', () => {
    const ids = new ExpiringIds();
    ids.add('long', 100);
    ids.add('short', 5);
    ids.forgetExpiredOldest(50);
    assert.equal(ids.size, 2, 'the cheap pass stops at the first live id');
    ids.forgetExpired(50);
    assert.equal(ids.size, 1);
    assert.ok(ids.forgetOldest());
    assert.equal(ids.size, 0);
    assert.ok(!ids.forgetOldest(), 'nothing left to forget');
  });
});
