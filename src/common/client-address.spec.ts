import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientOf } from './client-address.js';

describe('clientOf', () => {
  it('takes one IPv6 /64 for one client, and an IPv4-mapped address for its IPv4', () => {
    assert.equal(clientOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientOf('::1'), '0:0:0:0::/64');
    assert.equal(clientOf('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientOf('192.0.2.7'), '192.0.2.7');
  });
});
