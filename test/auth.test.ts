import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { signWebhook } from '../src/auth/webhook-signature.js';
import { KafkaBroker } from './support/kafka-broker.js';
import {
  Answer,
  EVENTS_PATH,
  FILTERS_PATH,
  RunningService,
  send,
  startService,
} from './support/service.js';
import { countRecords, readTopic } from './support/topic-reader.js';

const secret = 'kytos-webhook-secret-for-tests-0123456789';
const webhookToken = 'webhook-bearer-token-0123456789';
const adminToken = 'admin-token-for-rules-0123456789';
const topic = 'auth_events';
const event = JSON.stringify({ name: 'kytos/topology.link_up', content: { link: 'l1' } });

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

/** The JSON POST of the other tests, with the credentials under test. */
function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  return send(url, 'POST', body, 'application/json', headers);
}

function signed(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'x-kytos-timestamp': String(timestamp),
    'x-kytos-signature': signWebhook(secret, String(timestamp), body),
  };
}

describe('webhook authentication', () => {
  let service: RunningService;
  before(async () => {
    service = await startService({
      AUTH_DISABLED: 'false',
      AUTH_WEBHOOK_SECRET: secret,
      AUTH_WEBHOOK_TOKEN: webhookToken,
      AUTH_ADMIN_TOKEN: adminToken,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      FILTER_STORE: 'memory',
    });
  });
  after(async () => service?.close());

  it('refuses unsigned, badly signed and replayed requests with 401, publishing nothing', async () => {
    const url = service.url + EVENTS_PATH;
    const stale = Math.floor(Date.now() / 1000) - 301;
    const cases: [string, Record<string, string>, RegExp][] = [
      ['no signature', {}, /required|missing/],
      [
        'bad signature',
        { ...signed(event), 'x-kytos-signature': `sha256=${'0'.repeat(64)}` },
        /bad signature/,
      ],
      ['signature of another body', signed(`${event} `), /bad signature/],
      ['replayed after the window', signed(event, stale), /outside the accepted window/],
      [
        'signed too far ahead',
        signed(event, Math.floor(Date.now() / 1000) + 60),
        /outside the accepted window/,
      ],
      [
        'wrong bearer token',
        { authorization: 'Bearer not-the-token-at-all' },
        /signature refused|required/,
      ],
      [
        'admin token on the webhook',
        { authorization: `Bearer ${adminToken}` },
        /signature refused|required/,
      ],
    ];
    const before = await countRecords(broker.brokers, topic);
    for (const [label, headers, message] of cases) {
      const answer = await post(url, event, headers);
      assert.equal(answer.status, 401, label);
      assert.equal(answer.body.statusCode, 401, label);
      assert.match(String(answer.body.message), message, label);
    }
    assert.equal(
      await countRecords(broker.brokers, topic),
      before,
      'nothing of a refused request was published',
    );
  });

  it('accepts a signed request once: a replay inside the window is refused', async () => {
    const before = await countRecords(broker.brokers, topic);
    const headers = signed(event);
    assert.equal((await post(service.url + EVENTS_PATH, event, headers)).status, 200);
    const replay = await post(service.url + EVENTS_PATH, event, headers);
    assert.equal(replay.status, 401);
    assert.match(String(replay.body.message), /already accepted \(replay\)/);
    assert.equal(await countRecords(broker.brokers, topic), before + 1);
  });

  it('takes a signed request again after it failed (a sender retrying a 400 or a 503)', async () => {
    const invalid = JSON.stringify({ name: '', content: {} });
    const headers = signed(invalid);
    assert.equal((await post(service.url + EVENTS_PATH, invalid, headers)).status, 400);
    assert.equal((await post(service.url + EVENTS_PATH, invalid, headers)).status, 400);
  });

  it('authenticates every spelling of the webhook path the router takes, exact numbers included', async () => {
    for (const path of [`${EVENTS_PATH}/`, EVENTS_PATH.toUpperCase(), `${EVENTS_PATH}//`]) {
      const cookie = `{"name":"kytos/flow","content":{"cookie":12284372328023095114,"path":"${path}"}}`;
      const unsigned = await post(service.url + path, cookie, {});
      assert.ok([401, 404].includes(unsigned.status), `${path}: ${unsigned.status}`);
      const answer = await post(service.url + path, cookie, signed(cookie));
      if (answer.status === 404) continue;
      assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
    }
    const records = await readTopic(
      broker.brokers,
      topic,
      await countRecords(broker.brokers, topic),
    );
    const flows = records.filter((record) => record.value.includes('"kytos/flow"'));
    assert.ok(flows.length >= 2, 'the variants the router takes were published');
    for (const record of flows) assert.match(record.value, /"cookie":12284372328023095114[,}]/);
  });

  it('refuses an unauthenticated compressed bomb from its headers, without inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const answer = await fetch(service.url + EVENTS_PATH, {
      method: 'POST',
      body: bomb,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    const ms = performance.now() - started;
    assert.equal(answer.status, 401);
    const unread = await fetch(service.url + EVENTS_PATH, {
      method: 'POST',
      body: Buffer.alloc(8 * 1024 * 1024, 0x20),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(unread.status, 401);
    assert.equal(unread.headers.get('connection'), 'close', 'the unread rest is not worth reading');
    const signedBomb = await fetch(service.url + EVENTS_PATH, {
      method: 'POST',
      body: bomb,
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        ...signed(bomb.toString('latin1')),
        'x-kytos-signature': `sha256=${'1'.repeat(64)}`,
      },
    });
    assert.equal(signedBomb.status, 401, 'a wrong signature is found before inflating');
    assert.match(((await signedBomb.json()) as { message: string }).message, /bad signature/);
    assert.ok(
      process.memoryUsage().heapUsed - heapBefore < 50 * 1024 * 1024,
      'the 10 MiB it inflates to was never held',
    );
    assert.ok(ms < 5000);
  });

  it('publishes a correctly signed request, and one with the bearer token', async () => {
    const before = await countRecords(broker.brokers, topic);
    assert.equal((await post(service.url + EVENTS_PATH, event, signed(event))).status, 200);
    assert.equal(
      (await post(service.url + EVENTS_PATH, event, { authorization: `Bearer ${webhookToken}` }))
        .status,
      200,
    );
    assert.equal(await countRecords(broker.brokers, topic), before + 2);
  });

  it('holds CloudEvents to the same credentials: unsigned refused, signed published', async () => {
    const cloudEvent = JSON.stringify({
      specversion: '1.0',
      id: 'auth-ce-1',
      source: '/auth-test',
      type: 'kytos/topology.link_up',
      data: { link: 'l1' },
    });
    const url = service.url + EVENTS_PATH;
    const before = await countRecords(broker.brokers, topic);
    for (const [contentType, body] of [
      ['application/cloudevents+json', cloudEvent],
      ['application/cloudevents-batch+json', `[${cloudEvent}]`],
    ] as const) {
      assert.equal((await send(url, 'POST', body, contentType)).status, 401, contentType);
      const badlySigned = { ...signed(body), 'x-kytos-signature': `sha256=${'0'.repeat(64)}` };
      assert.equal((await send(url, 'POST', body, contentType, badlySigned)).status, 401);
    }
    assert.equal(await countRecords(broker.brokers, topic), before, 'nothing published');
    const answer = await send(
      url,
      'POST',
      cloudEvent,
      'application/cloudevents+json',
      signed(cloudEvent),
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(await countRecords(broker.brokers, topic), before + 1);
  });

  it('publishes a request signed in the Standard Webhooks scheme, and refuses its replay', async () => {
    // Signed here by the specification's recipe, not by the service's own helper.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const id = `msg_${Date.now()}`;
    const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(`${id}.${timestamp}.${event}`)
      .digest('base64');
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} v1,${mac}`,
    };
    const before = await countRecords(broker.brokers, topic);
    assert.equal((await post(service.url + EVENTS_PATH, event, headers)).status, 200);
    const replay = await post(service.url + EVENTS_PATH, event, headers);
    assert.equal(replay.status, 401);
    assert.match(String(replay.body.message), /replay/);
    const tampered = await post(service.url + EVENTS_PATH, event.replace('l1', 'l2'), {
      ...headers,
      'webhook-id': `${id}-2`,
    });
    assert.equal(tampered.status, 401);
    assert.equal(await countRecords(broker.brokers, topic), before + 1);
  });

  it('needs the admin token, not the webhook one, to change rules; reads stay open', async () => {
    const rule = JSON.stringify({ pattern: 'topology\\.interruption\\.' });
    assert.equal((await post(service.url + FILTERS_PATH, rule, {})).status, 401);
    assert.equal(
      (await post(service.url + FILTERS_PATH, rule, { authorization: `Bearer ${webhookToken}` }))
        .status,
      401,
    );
    const created = await post(service.url + FILTERS_PATH, rule, {
      authorization: `Bearer ${adminToken}`,
    });
    assert.equal(created.status, 201);
    const [id] = Object.keys(created.body);
    const unauthorizedDelete = await fetch(`${service.url}${FILTERS_PATH}/${id}`, {
      method: 'DELETE',
    });
    assert.equal(unauthorizedDelete.status, 401);
    assert.equal((await fetch(service.url + FILTERS_PATH)).status, 200);
    const deleted = await fetch(`${service.url}${FILTERS_PATH}/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(deleted.status, 200);
  });
});

describe('rule management settings', () => {
  it('closes reads with AUTH_READS_OPEN=false, and turns rule changes off without an admin token', async () => {
    const closed = await startService({
      AUTH_DISABLED: 'false',
      AUTH_WEBHOOK_TOKEN: webhookToken,
      AUTH_ADMIN_TOKEN: adminToken,
      AUTH_READS_OPEN: 'false',
      KAFKA_BROKERS: broker.brokers,
      FILTER_STORE: 'memory',
    });
    const noAdmin = await startService({
      AUTH_DISABLED: 'false',
      AUTH_WEBHOOK_TOKEN: webhookToken,
      KAFKA_BROKERS: broker.brokers,
      FILTER_STORE: 'memory',
    });
    try {
      assert.equal((await fetch(closed.url + FILTERS_PATH)).status, 401);
      assert.equal(
        (
          await fetch(closed.url + FILTERS_PATH, {
            headers: { authorization: `Bearer ${adminToken}` },
          })
        ).status,
        200,
      );
      const refused = await post(noAdmin.url + FILTERS_PATH, JSON.stringify({ pattern: 'x' }), {
        authorization: `Bearer ${adminToken}`,
      });
      assert.equal(refused.status, 403);
      assert.match(String(refused.body.message), /no AUTH_ADMIN_TOKEN is configured/);
    } finally {
      await Promise.all([closed.close(), noAdmin.close()]);
    }
  });
});

describe('hardening', () => {
  it('limits requests per client with 429 and Retry-After, and sets security headers', async () => {
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      FILTER_STORE: 'memory',
      RATE_LIMIT_PER_SECOND: '2',
      RATE_LIMIT_BURST: '3',
    });
    try {
      const answers = [];
      // A client cannot name itself another one unless TRUST_PROXY_HOPS says a proxy does.
      for (let i = 0; i < 4; i++) {
        answers.push(
          await fetch(`${service.url}${FILTERS_PATH}`, {
            headers: { 'x-forwarded-for': `198.51.100.${i}` },
          }),
        );
      }
      assert.deepEqual(
        answers.map((answer) => answer.status),
        [200, 200, 429, 429],
        'a new client gets one second worth (2), not the burst (3)',
      );
      const limited = answers[3];
      assert.ok(limited);
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.deepEqual(await limited.json(), {
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'too many requests from this client; retry in 1 s',
      });
      const first = answers[0];
      assert.ok(first);
      assert.equal(first.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(first.headers.get('x-frame-options'), 'DENY');
      assert.equal(
        first.headers.get('content-security-policy'),
        "default-src 'none'; frame-ancestors 'none'",
      );
      assert.equal(first.headers.get('cache-control'), 'no-store');
      assert.equal(first.headers.get('x-powered-by'), null);
    } finally {
      await service.close();
    }
  });
});
