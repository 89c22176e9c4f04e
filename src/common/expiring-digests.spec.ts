import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BYTES_PER_SLOT, ExpiringDigests, SLOTS_PER_DIGEST } from './expiring-digests.js';

/** Random 64-bit digests, as the replay guard's SHA-256 gives them. */
function digests(count: number): [number, number][] {
  const bytes = randomBytes(count * 8);
  return Array.from({ length: count }, (_, i) => [
    bytes.readUInt32LE(i * 8),
    bytes.readUInt32LE(i * 8 + 4),
  ]);
}

describe('ExpiringDigests', () => {
  it('holds a digest until its expiry, and forgets one deleted', () => {
    const table = new ExpiringDigests(1000);
    assert.equal(table.add(1, 2, 10, 0), undefined);
    assert.ok(table.has(1, 2, 10));
    assert.ok(!table.has(1, 2, 11), 'expired');
    assert.ok(!table.has(2, 1, 5), 'both halves count');
    table.delete(1, 2);
    assert.ok(!table.has(1, 2, 5));
    assert.equal(table.size, 0);
  });

  it('holds its capacity, refuses one more until the soonest expiry, then takes it', () => {
    const capacity = 50_000;
    const table = new ExpiringDigests(capacity);
    const all = digests(capacity + 1);
    // Out of order, as timestamps within the skew arrive: the soonest expiry is somewhere inside.
    all.slice(0, capacity).forEach(([high, low], i) => {
      assert.equal(table.add(high, low, i === 777 ? 103 : 200, 100), undefined);
    });
    assert.ok(all.slice(0, capacity).every(([high, low]) => table.has(high, low, 100)));
    const [high, low] = all[capacity];
    assert.deepEqual(table.add(high, low, 200, 100), { retryAfter: 4 }, 'full until 104');
    assert.deepEqual(table.add(high, low, 200, 103), { retryAfter: 1 });
    assert.equal(table.add(high, low, 200, 104), undefined, 'the expired one swept out');
    assert.ok(table.has(high, low, 104));
    assert.ok(!table.has(...all[777], 104));
    assert.ok(all.slice(0, capacity).every(([h, l], i) => i === 777 || table.has(h, l, 104)));
  });

  it(`takes ${BYTES_PER_SLOT * SLOTS_PER_DIGEST} bytes per digest of its capacity, allocated as it fills`, () => {
    const capacity = 100_000;
    const table = new ExpiringDigests(capacity);
    assert.ok(table.bytes <= 1024 * BYTES_PER_SLOT, 'small while empty');
    for (const [high, low] of digests(capacity)) table.add(high, low, 10, 0);
    assert.equal(table.size, capacity);
    assert.equal(table.bytes, capacity * BYTES_PER_SLOT * SLOTS_PER_DIGEST);
  });

  it('keeps finding every digest after deletions and expiries move others back', () => {
    const table = new ExpiringDigests(1000);
    // One home slot for all: a single cluster that deletions and sweeps must keep reachable.
    const keys = Array.from({ length: 1000 }, (_, i) => [i, 7] as [number, number]);
    keys.forEach(([high, low], i) => table.add(high, low, i % 2 === 0 ? 50 : 100, 10));
    for (let i = 0; i < 1000; i += 4) table.delete(...keys[i]);
    assert.equal(table.size, 750);
    assert.equal(table.add(5000, 7, 100, 60), undefined, 'room left: no sweep needed');
    keys.forEach(([high, low], i) => {
      assert.equal(table.has(high, low, 60), i % 2 === 1, `digest ${i}`);
    });
    assert.ok(table.has(5000, 7, 60));
    // Filled while the short-lived ones are still alive, so that only a sweep makes room.
    for (let i = 0; table.size < 1000; i++) table.add(6000 + i, 7, 100, 40);
    assert.equal(table.add(9999, 7, 100, 61), undefined, 'full: the expired ones swept out');
    assert.equal(table.size, 1000 - 249 + 1, 'one expired slot was taken over at 60');
    keys.forEach(([high, low], i) => {
      assert.equal(table.has(high, low, 61), i % 2 === 1, `digest ${i} after the sweep`);
    });
  });
});
