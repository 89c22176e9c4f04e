import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnverifiedBodyBudget } from './unverified-body-budget.js';

/** A body of `client` in `budget`, with the reasons it was cut. */
function open(budget: UnverifiedBodyBudget, client: string) {
  const cuts: string[] = [];
  const body = budget.open(client, (reason) => cuts.push(reason));
  return { ...body, cuts };
}

describe('UnverifiedBodyBudget', () => {
  it('holds at most the per-client bytes for one client, and frees them on release', () => {
    const budget = new UnverifiedBodyBudget(100, 40);
    const first = open(budget, 'a');
    const second = open(budget, 'a');
    assert.equal(first.add(30), undefined);
    assert.match(second.add(20) ?? '', /this client already sends 30 bytes .* \(at most 40\)/);
    assert.equal(second.add(10), undefined);
    assert.equal(budget.heldBytes, 40);
    first.release();
    first.release();
    assert.equal(budget.heldBytes, 10);
    assert.equal(second.add(30), undefined);
  });

  it('refuses past the total when no other client holds more than the one asking', () => {
    const budget = new UnverifiedBodyBudget(100, 60);
    const a = open(budget, 'a');
    assert.equal(a.add(50), undefined);
    assert.equal(open(budget, 'b').add(50), undefined);
    const more = open(budget, 'a');
    assert.match(more.add(1) ?? '', /the service already holds 100 bytes/);
    assert.deepEqual(a.cuts, []);
    assert.equal(budget.heldBytes, 100);
  });

  it('takes bytes back from the client holding most when the total is reached (max-min fairness)', () => {
    const budget = new UnverifiedBodyBudget(100, 60);
    const greedySmall = open(budget, 'greedy');
    const greedyLarge = open(budget, 'greedy');
    const other = open(budget, 'other');
    assert.equal(greedySmall.add(20), undefined);
    assert.equal(greedyLarge.add(40), undefined);
    assert.equal(other.add(40), undefined);
    const innocent = open(budget, 'innocent');
    assert.equal(innocent.add(5), undefined, 'a small body is read though the total was reached');
    assert.equal(greedyLarge.cuts.length, 1, "the richest client's largest body is cut");
    assert.match(greedyLarge.cuts[0] ?? '', /another client needed its share/);
    assert.deepEqual([greedySmall.cuts, other.cuts, innocent.cuts], [[], [], []]);
    assert.equal(budget.heldBytes, 65);
    assert.match(greedyLarge.add(1) ?? '', /taken back/, 'a cut body holds nothing more');
    greedyLarge.release();
    assert.equal(budget.heldBytes, 65);
  });

  it('at shutdown cuts every body held and every one opened later', () => {
    const budget = new UnverifiedBodyBudget(100, 50);
    const held = open(budget, 'a');
    assert.equal(held.add(10), undefined);
    budget.cutAll('the service is shutting down');
    assert.deepEqual(held.cuts, ['the service is shutting down']);
    assert.equal(budget.heldBytes, 0);
    const later = open(budget, 'b');
    assert.deepEqual(later.cuts, ['the service is shutting down']);
    assert.equal(later.add(1), 'the service is shutting down');
    assert.equal(budget.heldBytes, 0);
  });
});
