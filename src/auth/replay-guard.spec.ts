import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayGuard } from './replay-guard.js';

describe('ReplayGuard', () => {
  it('claims a signature once until its timestamp leaves the window, again once released', () => {
    const guard = new ReplayGuard(1000);
    assert.deepEqual(guard.claim('sha256=aa', 130, 100), { outcome: 'claimed' });
    assert.deepEqual(guard.claim('sha256=aa', 130, 120), { outcome: 'replayed' });
    guard.release('sha256=aa');
    assert.deepEqual(guard.claim('sha256=aa', 130, 120), { outcome: 'claimed' }, 'a retry');
    assert.deepEqual(guard.claim('sha256=aa', 130, 131), { outcome: 'claimed' }, 'expired');
  });

  it('past its capacity says when to retry (capped), never forgetting a live signature', () => {
    const capacity = 2000;
    const guard = new ReplayGuard(capacity);
    for (let i = 0; i < capacity; i++) {
      assert.equal(guard.claim(`sig-${i}`, 1000, 100).outcome, 'claimed');
    }
    assert.deepEqual(guard.claim('one-more', 1000, 100), {
      outcome: 'full',
      retryAfterSeconds: 60,
    });
    assert.deepEqual(guard.claim('sig-0', 1000, 100), { outcome: 'replayed' });
    assert.deepEqual(guard.claim('one-more', 1000, 1000), {
      outcome: 'full',
      retryAfterSeconds: 1,
    });
    assert.deepEqual(guard.claim('one-more', 1002, 1001), { outcome: 'claimed' });
    assert.ok(guard.bytes <= capacity * 24);
  });
});
