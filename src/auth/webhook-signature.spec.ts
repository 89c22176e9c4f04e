import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWebhookSignature, sameSecret, signWebhook } from './webhook-signature.js';

const secret = 'a-shared-secret-of-some-length';
const body = Buffer.from('{"name":"kytos/x","content":{}}');
const now = 1_790_000_000;

describe('webhook signatures', () => {
  it('accepts a fresh request signed with the shared secret', () => {
    const timestamp = String(now - 10);
    const signature = signWebhook(secret, timestamp, body);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.equal(
      checkWebhookSignature(secret, { timestamp, signature }, body, now, 300),
      undefined,
    );
  });

  it('refuses a changed body, another secret, or a changed timestamp', () => {
    const timestamp = String(now);
    const signature = signWebhook(secret, timestamp, body);
    assert.equal(
      checkWebhookSignature(
        secret,
        { timestamp, signature },
        Buffer.concat([body, Buffer.from(' ')]),
        now,
        300,
      ),
      'bad signature',
    );
    assert.equal(
      checkWebhookSignature(`${secret}!`, { timestamp, signature }, body, now, 300),
      'bad signature',
    );
    assert.equal(
      checkWebhookSignature(secret, { timestamp: String(now + 1), signature }, body, now, 300),
      'bad signature',
    );
  });

  it('refuses a replay outside the window, and missing or malformed headers', () => {
    const old = String(now - 301);
    const signature = signWebhook(secret, old, body);
    assert.match(
      checkWebhookSignature(secret, { timestamp: old, signature }, body, now, 300) ?? '',
      /more than 300 s away/,
    );
    assert.match(checkWebhookSignature(secret, { signature }, body, now, 300) ?? '', /missing/);
    assert.match(
      checkWebhookSignature(secret, { timestamp: 'yesterday', signature }, body, now, 300) ?? '',
      /Unix seconds/,
    );
  });

  it('compares secrets of any length without throwing', () => {
    assert.ok(sameSecret('token-one', 'token-one'));
    assert.ok(!sameSecret('token-one', 'token-one-longer'));
    assert.ok(!sameSecret('token-one', ''));
  });
});
