import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets a burst through, then the average rate, per client', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('a')),
      [0, 0, 0, 1],
    );
    assert.equal(limiter.take('b'), 0, 'another client has its own bucket');
    now += 100;
    assert.equal(limiter.take('a'), 0, 'one token back after 1/10 s');
    assert.equal(limiter.take('a'), 1);
    now += 10_000;
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('a')),
      [0, 0, 0, 1],
      'refilled up to the burst only',
    );
  });

  it('tells a slow-rate client how many seconds to wait', () => {
    const limiter = new RateLimiter(0.1, 1, () => 0);
    assert.equal(limiter.take('a'), 0);
    assert.equal(limiter.take('a'), 10);
  });

  it('forgets the client idle longest past 10,000 clients', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1, () => now);
    limiter.take('first');
    for (let i = 0; i < 10_000; i++) limiter.take(`client-${i}`);
    now += 1;
    assert.equal(limiter.take('first'), 0, 'a forgotten client starts with a full bucket');
  });
});
