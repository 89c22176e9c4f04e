import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { loadAppConfig } from '../config/app-config.js';
import { WebhookAuthenticator } from './webhook-authenticator.js';
import { sameSecret, signWebhook } from './webhook-signature.js';

const secret = 'a-shared-secret-of-some-length';
const token = 'a-webhook-token-of-some-length';
const body = Buffer.from('{"name":"kytos/x","content":{}}');
const now = Math.floor(Date.now() / 1000);

function authenticator(): WebhookAuthenticator {
  const { auth } = loadAppConfig({ AUTH_WEBHOOK_SECRET: secret, AUTH_WEBHOOK_TOKEN: token });
  return new WebhookAuthenticator(auth);
}

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function signed(timestamp: number, payload = body, key = secret): IncomingMessage {
  return request({
    'x-kytos-timestamp': String(timestamp),
    'x-kytos-signature': signWebhook(key, String(timestamp), payload),
  });
}

/** Admits, streams the body in two chunks, verifies: the reason for refusal, or undefined. */
function check(auth: WebhookAuthenticator, incoming: IncomingMessage, payload = body) {
  const admission = auth.admit(incoming, now);
  if (!admission.admitted) return admission.reason;
  if (!admission.signature) return undefined;
  admission.signature.update(payload.subarray(0, 5));
  admission.signature.update(payload.subarray(5));
  return admission.signature.verify();
}

describe('WebhookAuthenticator', () => {
  it('accepts a fresh signature over the body as streamed, and the bearer token', () => {
    const auth = authenticator();
    assert.equal(check(auth, signed(now - 10)), undefined);
    assert.equal(check(auth, request({ authorization: `Bearer ${token}` })), undefined);
  });

  it('decides from the headers alone, before any body, what headers can decide', () => {
    const auth = authenticator();
    for (const [headers, reason] of [
      [{}, /missing/],
      [{ authorization: 'Bearer wrong' }, /missing/],
      [{ 'x-kytos-timestamp': 'yesterday', 'x-kytos-signature': 'sha256=00' }, /Unix seconds/],
      [{ 'x-kytos-timestamp': String(now), 'x-kytos-signature': 'md5=00' }, /64 hex digits/],
      [
        { 'x-kytos-timestamp': String(now - 301), 'x-kytos-signature': `sha256=${'0'.repeat(64)}` },
        /window/,
      ],
      [
        { 'x-kytos-timestamp': String(now + 31), 'x-kytos-signature': `sha256=${'0'.repeat(64)}` },
        /window/,
      ],
    ] as const) {
      const admission = auth.admit(request(headers), now);
      assert.equal(admission.admitted, false, JSON.stringify(headers));
      assert.match(admission.admitted ? '' : admission.reason, reason);
    }
  });

  it('refuses a changed body, another secret, or a changed timestamp', () => {
    const auth = authenticator();
    assert.equal(check(auth, signed(now), body), undefined);
    assert.equal(
      check(auth, signed(now - 1), Buffer.concat([body, Buffer.from(' ')])),
      'bad signature',
    );
    assert.equal(check(auth, signed(now - 2, body, `${secret}!`)), 'bad signature');
    const moved = signed(now - 3);
    moved.headers['x-kytos-timestamp'] = String(now - 4);
    assert.equal(check(auth, moved), 'bad signature');
  });

  it('accepts each signature once, unless its request did not succeed', () => {
    const auth = authenticator();
    assert.equal(check(auth, signed(now - 5)), undefined);
    assert.match(check(auth, signed(now - 5)) ?? '', /already accepted \(replay\)/);
    const admission = auth.admit(signed(now - 6), now);
    assert.ok(admission.admitted && admission.signature);
    admission.signature.update(body);
    assert.equal(admission.signature.verify(), undefined);
    admission.signature.release();
    assert.equal(check(auth, signed(now - 6)), undefined, 'a retry after a failed answer');
  });

  it('compares secrets of any length without throwing', () => {
    assert.ok(sameSecret('token-one', 'token-one'));
    assert.ok(!sameSecret('token-one', 'token-one-longer'));
    assert.ok(!sameSecret('token-one', ''));
  });
});
