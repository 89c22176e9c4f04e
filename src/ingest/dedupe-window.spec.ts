import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DedupeWindow } from './dedupe-window.js';

describe('DedupeWindow', () => {
  it('knows an id for its window, from its last publication, and forgets it after', () => {
    let now = 0;
    const window = new DedupeWindow(1000, 10, () => now);
    window.remember(['a']);
    now = 600;
    assert.ok(window.has('a'));
    window.remember(['a']);
    now = 1500;
    assert.ok(window.has('a'), 'published again at 600: known until 1600');
    now = 1601;
    assert.ok(!window.has('a'));
    assert.equal(window.size, 0);
  });

  it('holds at most its capacity, the oldest leaving first, and counts those that left early', () => {
    const window = new DedupeWindow(60_000, 3, () => 0);
    window.remember(['a', 'b', 'c', 'd']);
    assert.equal(window.size, 3);
    assert.ok(!window.has('a'));
    assert.ok(window.has('b') && window.has('d'));
    assert.equal(window.evictedEarly, 1);
  });
});
