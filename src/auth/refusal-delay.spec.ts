import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefusalDelay } from './refusal-delay.js';

describe('RefusalDelay', () => {
  it('holds a refusal for the delay, but never more than 1,000 at once', async () => {
    const delay = new RefusalDelay(200);
    const started = performance.now();
    const ended: number[] = [];
    await Promise.all(
      Array.from({ length: 1010 }, () =>
        delay.hold().then(() => ended.push(performance.now() - started)),
      ),
    );
    const immediate = ended.filter((ms) => ms < 50).length;
    assert.equal(immediate, 10, 'the ten past the cap are answered at once');
    assert.equal(ended.filter((ms) => ms >= 95).length, 1000, 'the others waited');
  });

  it('answers at once when the delay is 0', async () => {
    const started = performance.now();
    await new RefusalDelay(0).hold();
    assert.ok(performance.now() - started < 50);
  });
});
