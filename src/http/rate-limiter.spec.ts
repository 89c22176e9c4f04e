import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetOf, RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets the average rate through per client, and bursts once the bucket has filled', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 4, () => now);
    assert.deepEqual(
      [1, 2, 3].map(() => limiter.take('10.0.0.1')),
      [0, 0, 1],
      'a new client starts with one second worth, not the burst',
    );
    assert.equal(limiter.take('10.0.0.2'), 0, 'another client has its own bucket');
    now += 500;
    assert.equal(limiter.take('10.0.0.1'), 0, 'one token back after 1/2 s');
    assert.equal(limiter.take('10.0.0.1'), 1);
    now += 10_000;
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => limiter.take('10.0.0.1')),
      [0, 0, 0, 0, 1],
      'refilled up to the burst only',
    );
  });

  it('tells a slow-rate client how many seconds to wait', () => {
    const limiter = new RateLimiter(0.1, 1, () => 0);
    assert.equal(limiter.take('10.0.0.1'), 0);
    assert.equal(limiter.take('10.0.0.1'), 10);
  });

  it('limits how fast new addresses appear, so rotating them buys little', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1000, () => now);
    let passed = 0;
    for (let i = 0; i < 5000; i++) if (limiter.take(`10.1.${i >> 8}.${i & 255}`) === 0) passed++;
    assert.equal(passed, 1000, 'the newcomers burst, one request each');
    now += 1000;
    assert.equal(limiter.take('10.9.9.9'), 0, 'newcomers refill over time');
  });

  it('takes one IPv6 /64 for one client', () => {
    const limiter = new RateLimiter(1, 1, () => 0);
    assert.equal(limiter.take('2001:db8:1:2::1'), 0);
    assert.equal(limiter.take('2001:db8:1:2::2'), 1, 'same /64, same bucket');
  });

  it('counts probes, scrapes and the rest against budgets of their own, as the router matches paths', () => {
    assert.equal(budgetOf('/health/live'), 'probe');
    assert.equal(budgetOf('/Health/Ready/'), 'probe');
    assert.equal(budgetOf('/metrics'), 'scrape');
    assert.equal(budgetOf('/METRICS/'), 'scrape');
    assert.equal(budgetOf('/metricsx'), 'api');
    assert.equal(budgetOf('/api/asyncapi.json'), 'api');
    assert.equal(budgetOf('/api/kytos/kafka_events/v1/events'), 'api');
  });
});
