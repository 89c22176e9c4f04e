import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signWebhook } from '../src/auth/webhook-signature.js';
import { SCRAPE_CACHE_MS } from '../src/metrics/metrics.controller.js';
import { metricSample } from './support/metric-sample.js';
import { type Answer, send, startService, type RunningService } from './support/service.js';

const secret = 'kytos-webhook-secret-for-tests-0123456789';
const webhookToken = 'webhook-bearer-token-0123456789';
const adminToken = 'admin-token-for-rules-0123456789';
const FORWARDERS_PATH = '/api/kytos/kafka_events/v1/forwarders';
// Longer than a scrape takes here (it waits out the rendering cache), even under load.
const SILENT_AFTER_MS = 5000;

const report = (run: string, forwarded: number, extra: object = {}) => ({
  run,
  forwarded,
  dropped: { queue_full: 2, too_large: 1 },
  queue_depth: 4,
  loop_seconds: 0.75,
  events_seen: forwarded + 10,
  ...extra,
});

describe('forwarder reports', () => {
  let service: RunningService;
  before(async () => {
    // No event is posted here: the reports and /metrics need no broker, and none is started.
    service = await startService(
      {
        AUTH_DISABLED: 'false',
        AUTH_WEBHOOK_SECRET: secret,
        AUTH_WEBHOOK_TOKEN: webhookToken,
        AUTH_ADMIN_TOKEN: adminToken,
        KAFKA_BROKERS: '127.0.0.1:9',
        FILTER_STORE: 'memory',
        FORWARDER_SILENT_AFTER_MS: String(SILENT_AFTER_MS),
        FORWARDERS_MAX: '3',
      },
      { waitUntilReady: false },
    );
  });
  after(async () => service?.close());

  function post(id: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return send(
      `${service.url}${FORWARDERS_PATH}/${id}/report`,
      'POST',
      text,
      'application/json',
      headers,
    );
  }
  const withToken = { authorization: `Bearer ${webhookToken}` };

  /** /metrics rendered after what came before (a rendering answers for SCRAPE_CACHE_MS). */
  async function scrape(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, SCRAPE_CACHE_MS + 10));
    return (await fetch(`${service.url}/metrics`)).text();
  }

  it('takes a report authenticated as the webhook is, and nothing else', async () => {
    const body = JSON.stringify(report('run-a', 10));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signed = {
      'x-kytos-timestamp': timestamp,
      'x-kytos-signature': signWebhook(secret, timestamp, body),
    };
    for (const [what, headers] of [
      ['no credentials', {}],
      ['the admin token', { authorization: `Bearer ${adminToken}` }],
      ['a wrong token', { authorization: 'Bearer not-the-webhook-token-at-all' }],
    ] as const) {
      const answer = await post('kytos-1', body, headers);
      assert.equal(answer.status, 401, what);
      assert.equal(answer.body.statusCode, 401, what);
    }
    assert.equal(
      metricSample(await scrape(), 'kafka_events_forwarder_silent{forwarder="kytos-1"}'),
      undefined,
    );
    assert.equal((await post('kytos-1', body, signed)).status, 204);
    const replayed = await post('kytos-1', body, signed);
    assert.equal(replayed.status, 401, 'a signature already used');
    assert.equal((await post('kytos-1', report('run-a', 11), withToken)).status, 204);
    const text = await scrape();
    assert.equal(
      metricSample(text, 'kafka_events_forwarder_forwarded_total{forwarder="kytos-1"}'),
      11,
    );
    assert.equal(
      metricSample(
        text,
        'kafka_events_forwarder_dropped_total{forwarder="kytos-1",cause="too_large"}',
      ),
      1,
    );
    assert.equal(metricSample(text, 'kafka_events_forwarder_queue_depth{forwarder="kytos-1"}'), 4);
    assert.equal(
      metricSample(text, 'kafka_events_forwarder_loop_seconds_total{forwarder="kytos-1"}'),
      0.75,
    );
    assert.equal(metricSample(text, 'kafka_events_forwarder_silent{forwarder="kytos-1"}'), 0);
    const last = metricSample(
      text,
      'kafka_events_forwarder_last_report_timestamp_seconds{forwarder="kytos-1"}',
    );
    assert.ok(last !== undefined && Math.abs(last - Date.now() / 1000) < 60, String(last));
  });

  it('answers hostile ids and reports with a JSON 4xx and records nothing of them', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['id too long', 'k'.repeat(65), report('r', 1), 400, /at most 64 characters/],
      ['id with a space', 'a%20b', report('r', 1), 400, /must start with a letter or digit/],
      ['id with a quote', 'a%22b', report('r', 1), 400, /must start with a letter or digit/],
      ['negative count', 'kytos-h', report('r', -1), 400, /forwarded must be an integer/],
      ['past 2^53', 'kytos-h', report('r', 2 ** 60), 400, /forwarded must be an integer/],
      [
        'a cause not of the set',
        'kytos-h',
        report('r', 1, { dropped: { boom: 1 } }),
        400,
        /not one of/,
      ],
      ['an unknown field', 'kytos-h', report('r', 1, { labels: { a: 1 } }), 400, /labels/],
      ['no run', 'kytos-h', { ...report('r', 1), run: undefined }, 400, /run/],
      ['an array', 'kytos-h', [report('r', 1)], 400, /./],
      ['not JSON', 'kytos-h', '{"run":', 400, /not a JSON object/],
    ];
    for (const [what, id, body, status, message] of cases) {
      const answer = await post(id, body, withToken);
      assert.equal(answer.status, status, what);
      assert.match(String(answer.body.message), message, what);
    }
    const text = await scrape();
    assert.ok(!text.includes('kytos-h'), 'no series for a refused report');
    assert.ok(!text.includes('boom'));
    // A __proto__ key is not a cause either: it makes no series.
    assert.equal(
      (
        await post(
          'kytos-p',
          '{"run":"r","forwarded":1,"dropped":{"__proto__":3},"queue_depth":0,"loop_seconds":0}',
          withToken,
        )
      ).status,
      204,
    );
    assert.ok(!(await scrape()).includes('__proto__'));
  });

  it('refuses a count going back within a run (409), and adds a new run (a restart) to the old', async () => {
    assert.equal((await post('kytos-r', report('run-1', 50), withToken)).status, 204);
    const back = await post('kytos-r', report('run-1', 49), withToken);
    assert.equal(back.status, 409);
    assert.match(String(back.body.message), /lower forwarded/);
    assert.equal((await post('kytos-r', report('run-2', 3), withToken)).status, 204);
    const text = await scrape();
    assert.equal(
      metricSample(text, 'kafka_events_forwarder_forwarded_total{forwarder="kytos-r"}'),
      53,
    );
    assert.equal(
      metricSample(
        text,
        'kafka_events_forwarder_dropped_total{forwarder="kytos-r",cause="queue_full"}',
      ),
      4,
    );
  });

  it('refuses a forwarder past FORWARDERS_MAX with 429, and a known one still reports', async () => {
    // kytos-1, kytos-p and kytos-r are known: the limit is 3.
    const refused = await post('kytos-4', report('run', 1), withToken);
    assert.equal(refused.status, 429);
    assert.match(String(refused.body.message), /FORWARDERS_MAX/);
    assert.equal((await post('kytos-1', report('run-a', 12), withToken)).status, 204);
  });

  it('shows a forwarder silent once it stops reporting, and not once it reports again', async () => {
    assert.equal((await post('kytos-1', report('run-a', 13), withToken)).status, 204);
    const series = 'kafka_events_forwarder_silent{forwarder="kytos-1"}';
    assert.equal(metricSample(await scrape(), series), 0);
    const deadline = Date.now() + SILENT_AFTER_MS + 10_000;
    let silent = 0;
    while (silent !== 1 && Date.now() < deadline) {
      silent = metricSample(await scrape(), series) ?? -1;
    }
    assert.equal(silent, 1);
    assert.equal((await post('kytos-1', report('run-a', 14), withToken)).status, 204);
    assert.equal(metricSample(await scrape(), series), 0);
  });

  it('refuses a run a newer one replaced: two NApps under one id do not add up (409)', async () => {
    // kytos-r reported run-1, then run-2 (above).
    const sum = 'kafka_events_forwarder_forwarded_total{forwarder="kytos-r"}';
    assert.equal((await post('kytos-r', report('run-3', 10), withToken)).status, 204);
    const before = metricSample(await scrape(), sum);
    const twin = await post('kytos-r', report('run-2', 90), withToken);
    assert.equal(twin.status, 409);
    assert.match(String(twin.body.message), /two NApps report under one id/);
    assert.equal(metricSample(await scrape(), sum), before);
  });

  it('forgets a forwarder at its final report (a NApp stopped on purpose pages no one)', async () => {
    assert.equal(
      (await post('kytos-r', report('run-3', 11, { final: true }), withToken)).status,
      204,
    );
    const text = await scrape();
    assert.ok(!text.includes('forwarder="kytos-r"'), text);
    // Its place under FORWARDERS_MAX is free again.
    assert.equal((await post('kytos-f', report('run-f', 1), withToken)).status, 204);
  });
});
