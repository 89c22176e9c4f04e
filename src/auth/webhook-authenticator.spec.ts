import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { authSettings } from './auth.settings.js';
import { ReplayWindowFullError } from './replay-guard.js';
import { WebhookAuthenticator } from './webhook-authenticator.js';
import { sameSecret, signStandardWebhook, signWebhook } from './webhook-signature.js';

const secret = 'a-shared-secret-of-some-length';
const token = 'a-webhook-token-of-some-length';
const body = Buffer.from('{"name":"kytos/x","content":{}}');
const now = Math.floor(Date.now() / 1000);

function authenticator(): WebhookAuthenticator {
  const auth = authSettings.parse({ AUTH_WEBHOOK_SECRET: secret, AUTH_WEBHOOK_TOKEN: token });
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

  it('accepts Standard Webhooks signatures, one of several for a key rotation, with a whsec_ key', () => {
    const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const settings = authSettings.parse({ AUTH_WEBHOOK_SECRET: whsec });
    const auth = new WebhookAuthenticator(settings);
    const standard = (id: string, timestamp: number, signature: string) =>
      request({
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature,
      });
    const valid = (id: string, timestamp: number) =>
      signStandardWebhook(whsec, id, String(timestamp), body);
    const old = signStandardWebhook(
      `whsec_${Buffer.from('an older key, 24 bytes or more').toString('base64')}`,
      'msg_1',
      String(now),
      body,
    );
    assert.equal(check(auth, standard('msg_1', now, `${old} ${valid('msg_1', now)}`)), undefined);
    assert.match(
      check(auth, standard('msg_1', now, valid('msg_1', now))) ?? '',
      /replay/,
      'the same id and timestamp again',
    );
    assert.equal(
      check(auth, standard('msg_1', now - 1, valid('msg_1', now - 1))),
      undefined,
      "a sender's retry: same id, new timestamp",
    );
    assert.equal(check(auth, standard('msg_2', now, old)), 'bad signature', 'another key');
    assert.equal(
      check(auth, standard('msg_3', now, valid('msg_3', now)), Buffer.from('{}')),
      'bad signature',
      'another body',
    );
    for (const [headers, reason] of [
      [{ 'webhook-signature': valid('m', now), 'webhook-timestamp': String(now) }, /webhook-id/],
      [{ 'webhook-signature': valid('m', now), 'webhook-id': 'm' }, /webhook-timestamp/],
      [
        { 'webhook-signature': 'v2,abc', 'webhook-id': 'm', 'webhook-timestamp': String(now) },
        /v1/,
      ],
      [
        {
          'webhook-signature': valid('m', now - 400),
          'webhook-id': 'm',
          'webhook-timestamp': String(now - 400),
        },
        /window/,
      ],
      [
        {
          'webhook-signature': Array(9).fill(valid('m', now)).join(' '),
          'webhook-id': 'm',
          'webhook-timestamp': String(now),
        },
        /1 to 8/,
      ],
    ] as const) {
      const admission = auth.admit(request(headers), now);
      assert.equal(admission.admitted, false, JSON.stringify(headers));
      assert.match(admission.admitted ? '' : admission.reason, reason);
    }
  });

  it("verifies the Standard Webhooks specification's own test vector", () => {
    const vector = {
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: Buffer.from('{"test": 2432232314}'),
      signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    assert.equal(
      signStandardWebhook(vector.secret, vector.id, String(vector.timestamp), vector.body),
      vector.signature,
    );
    const settings = authSettings.parse({ AUTH_WEBHOOK_SECRET: vector.secret });
    const admission = new WebhookAuthenticator(settings).admit(
      request({
        'webhook-id': vector.id,
        'webhook-timestamp': String(vector.timestamp),
        'webhook-signature': vector.signature,
      }),
      vector.timestamp,
    );
    assert.ok(admission.admitted && admission.signature);
    admission.signature.update(vector.body);
    assert.equal(admission.signature.verify(), undefined);
  });

  it('answers a correct signature it has no replay room for with a retry, never a refusal', () => {
    const auth = new WebhookAuthenticator(
      authSettings.parse({
        AUTH_WEBHOOK_SECRET: secret,
        AUTH_MAX_SKEW_SECONDS: '60',
        AUTH_REPLAY_CAPACITY: '1000',
      }),
    );
    const at = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 1000; i++) {
      const payload = Buffer.from(`{"n":${i}}`);
      assert.equal(check(auth, signed(at, payload), payload), undefined, `request ${i}`);
    }
    const payload = Buffer.from('{"n":"one more"}');
    assert.throws(
      () => check(auth, signed(at, payload), payload),
      (error: unknown) =>
        error instanceof ReplayWindowFullError &&
        error.retryAfterSeconds >= 1 &&
        error.retryAfterSeconds <= 60,
    );
    assert.match(check(auth, signed(at, payload, 'not-the-secret-at-all'), payload) ?? '', /bad/);
  });

  it('refuses to start with a replay capacity below 10 signed requests a second over the window', () => {
    const parse = (capacity: string, skew: string) =>
      authSettings.parse({
        AUTH_WEBHOOK_SECRET: secret,
        AUTH_REPLAY_CAPACITY: capacity,
        AUTH_MAX_SKEW_SECONDS: skew,
      });
    assert.throws(() => parse('500000', '86400'), /AUTH_REPLAY_CAPACITY \(500000\).*864300/);
    assert.equal(parse('864300', '86400').replayCapacity, 864_300);
    assert.equal(authSettings.parse({ AUTH_WEBHOOK_SECRET: secret }).replayCapacity, 1_000_000);
  });

  it('compares secrets of any length without throwing', () => {
    assert.ok(sameSecret('token-one', 'token-one'));
    assert.ok(!sameSecret('token-one', 'token-one-longer'));
    assert.ok(!sameSecret('token-one', ''));
  });
});
