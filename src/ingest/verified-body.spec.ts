import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepVerifiedBody, verifiedBodyOf } from './verified-body.js';

describe('verifiedBodyOf', () => {
  it('gives the body kept for that request only, an empty body included', () => {
    const request = {};
    const other = {};
    assert.equal(verifiedBodyOf(request), undefined);
    keepVerifiedBody(request, null);
    assert.deepEqual(verifiedBodyOf(request), { body: null });
    assert.equal(verifiedBodyOf(other), undefined, 'a request nobody verified');
    assert.equal(verifiedBodyOf({ body: [1], webhook: true }), undefined, 'no flag counts');
  });
});
