import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryClock, RetryPolicy } from './retry-policy.js';

class FakeClock implements RetryClock {
  time = 0;
  slept: number[] = [];
  constructor(private readonly randomValue = 0.5) {}
  now(): number {
    return this.time;
  }
  sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.time += ms;
    return Promise.resolve();
  }
  random(): number {
    return this.randomValue;
  }
}

const settings = { retries: 5, initialDelayMs: 100, maxDelayMs: 1000, deadlineMs: 10_000 };
const always = () => true;

function failing(times: number, error = new Error('transient')): () => Promise<string> {
  let calls = 0;
  return () => (++calls <= times ? Promise.reject(error) : Promise.resolve(`ok after ${calls}`));
}

describe('RetryPolicy', () => {
  it('grows the wait exponentially up to the cap, with jitter inside [ceiling/2, ceiling]', () => {
    const low = new RetryPolicy(settings, new FakeClock(0));
    const high = new RetryPolicy(settings, new FakeClock(1));
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => low.delayBefore(n)),
      [50, 100, 200, 400, 500, 500],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => high.delayBefore(n)),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  it('retries a transient failure and returns the result', async () => {
    const clock = new FakeClock();
    const result = await new RetryPolicy(settings, clock).run(failing(3), always);
    assert.equal(result, 'ok after 4');
    assert.deepEqual(clock.slept, [75, 150, 300]);
  });

  it('stops after the configured number of retries with the last error', async () => {
    const clock = new FakeClock();
    await assert.rejects(new RetryPolicy(settings, clock).run(failing(99), always), /transient/);
    assert.equal(clock.slept.length, 5);
  });

  it('never sleeps past the deadline', async () => {
    const clock = new FakeClock(1);
    const policy = new RetryPolicy({ ...settings, retries: 100, deadlineMs: 2400 }, clock);
    await assert.rejects(policy.run(failing(99), always));
    assert.ok(clock.time <= 2400, `slept until ${clock.time}`);
    assert.deepEqual(clock.slept, [100, 200, 400, 800]);
  });

  it('does not retry an error the caller calls permanent', async () => {
    const clock = new FakeClock();
    const permanent = new Error('permanent');
    await assert.rejects(
      new RetryPolicy(settings, clock).run(failing(1, permanent), (error) => error !== permanent),
      /permanent/,
    );
    assert.deepEqual(clock.slept, []);
  });
});
