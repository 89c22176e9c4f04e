import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefusalDelay } from './refusal-delay.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('RefusalDelay', () => {
  it('holds a refusal for half to one and a half times the delay, never more than 1,000 at once', async () => {
    const waits: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const delay = new RefusalDelay(1000, (ms) => {
      waits.push(ms);
      return released;
    });
    let answered = 0;
    const holds = Array.from({ length: 1010 }, () => delay.hold().then(() => answered++));
    await tick();
    assert.equal(answered, 10, 'the ten past the cap are answered at once');
    assert.equal(waits.length, 1000);
    assert.ok(waits.every((ms) => ms >= 500 && ms <= 1500));
    release();
    await Promise.all(holds);
    assert.equal(answered, 1010);
    await delay.hold();
    assert.equal(waits.length, 1001, 'held ones free their places');
  });

  it('answers at once when the delay is 0', async () => {
    const delay = new RefusalDelay(0, () => new Promise(() => undefined));
    await delay.hold();
  });
});
