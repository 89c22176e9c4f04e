import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyBudget } from './body-budget.js';

describe('BodyBudget', () => {
  it('lets bodies in up to its ceiling, the next in line once bytes come back', async () => {
    const budget = new BodyBudget(100, 5000);
    const first = await budget.acquire(60);
    const second = await budget.acquire(40);
    assert.ok(first && second);
    const order: string[] = [];
    const third = budget.acquire(50).then((lease) => (order.push('third'), lease));
    const fourth = budget.acquire(10).then((lease) => (order.push('fourth'), lease));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [], 'a small body does not pass the one waiting before it');
    first.shrinkTo(10);
    const thirdLease = await third;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['third'], 'the fourth waits for room');
    second.release();
    const fourthLease = await fourth;
    assert.deepEqual(order, ['third', 'fourth']);
    assert.equal(budget.inUse, 10 + 50 + 10);
    for (const lease of [first, thirdLease, fourthLease]) lease?.release();
    assert.equal(budget.inUse, 0);
  });

  it('lets a body larger than the whole ceiling in alone', async () => {
    const budget = new BodyBudget(100, 5000);
    const huge = await budget.acquire(500);
    assert.ok(huge);
    const small = budget.acquire(1);
    huge.release();
    assert.ok(await small);
  });

  it('refuses a body that found no room within its wait, and lets the next in', async () => {
    const budget = new BodyBudget(100, 50);
    const held = await budget.acquire(90);
    const started = performance.now();
    assert.equal(await budget.acquire(50), undefined);
    assert.ok(performance.now() - started >= 45);
    assert.ok(await budget.acquire(10), 'a body that fits is let in at once');
    held?.release();
  });
});
