import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alertRuleQueries, dashboardQueries, type Query } from '../scripts/monitoring-queries.js';
import { metricNamesOf } from '../scripts/promql-metric-names.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { metricSample } from './support/metric-sample.js';
import { sampleEvents } from './support/sample-events.js';
import { EVENTS_PATH, FILTERS_PATH, send } from './support/service.js';
import { type ServiceProcess, spawnService } from './support/service-process.js';
import { readTopic } from './support/topic-reader.js';

const TOKEN = 'monitoring-test-token';
const TOPIC = 'monitoring';
/** Reads of the rules sent at once, against a rate limit of 4 a second. */
const VOLLEY = 20;

/**
 * The series names a scrape can hold, from its `# TYPE` lines: a histogram's as PromQL selects
 * them (`_bucket`, `_sum`, `_count`), a summary's with its `_sum` and `_count`.
 */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    } else {
      names.add(name);
      if (type === 'summary')
        for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

/** Each metric a query names that no instance exports, with the queries that name it. */
function unexported(queries: Query[], exported: Set<string>): Map<string, string[]> {
  const missing = new Map<string, string[]>();
  for (const { where, expr } of queries) {
    for (const name of metricNamesOf(expr)) {
      if (!exported.has(name)) missing.set(name, [...(missing.get(name) ?? []), where]);
    }
  }
  return missing;
}

async function scrape(service: ServiceProcess): Promise<string> {
  const response = await fetch(`${service.url}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

async function stop(service: ServiceProcess | undefined): Promise<void> {
  if (!service || service.child.exitCode !== null) return;
  service.child.kill('SIGTERM');
  await once(service.child, 'exit');
}

/** A webhook request that announces a body over the limit and sends none of it. */
async function announceTooLarge(service: ServiceProcess, bytes: number): Promise<number> {
  const { hostname, port } = new URL(service.url);
  const sent = request({
    host: hostname,
    port,
    method: 'POST',
    path: EVENTS_PATH,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'content-length': String(bytes),
    },
    timeout: 30_000,
  });
  sent.on('timeout', () => sent.destroy(new Error('no answer within 30 s')));
  sent.flushHeaders();
  const [response] = (await once(sent, 'response')) as [{ statusCode?: number; resume(): void }];
  response.resume();
  sent.destroy();
  return response.statusCode ?? 0;
}

let broker: KafkaBroker;
let kafkaMode: ServiceProcess | undefined;
let spoolMode: ServiceProcess | undefined;
const spoolDir = mkdtempSync(join(tmpdir(), 'monitoring-spool-'));

before(async () => {
  broker = await KafkaBroker.start();
  const common = {
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC: TOPIC,
    FILTER_STORE: 'memory',
    // The metrics that exist only where a feature is on.
    EVENT_SCHEMA_VALIDATION: 'warn',
    AUTH_DISABLED: 'false',
    AUTH_WEBHOOK_TOKEN: TOKEN,
    AUTH_FAILURE_DELAY_MS: '0',
  };
  kafkaMode = await spawnService({
    ...common,
    INGEST_MAX_BODY_BYTES: String(64 * 1024),
    // A new client starts with one second's worth: the test's first requests pass, a volley
    // of them meets 429.
    RATE_LIMIT_PER_SECOND: '4',
    RATE_LIMIT_BURST: '4',
  });
  spoolMode = await spawnService({ ...common, DELIVERY_MODE: 'spool', SPOOL_DIR: spoolDir });
});

after(async () => {
  await Promise.all([stop(kafkaMode), stop(spoolMode)]);
  await broker?.stop();
  rmSync(spoolDir, { recursive: true, force: true });
});

describe('the monitoring shipped in the chart, against running instances', () => {
  it('counts requests by route and status, refusals included, and events by name', async () => {
    const service = kafkaMode!;
    const event = sampleEvents[0];
    const auth = { authorization: `Bearer ${TOKEN}` };
    const body = JSON.stringify([event]);
    const url = `${service.url}${EVENTS_PATH}`;
    assert.equal((await send(url, 'POST', body, 'application/json', auth)).status, 200);
    const wrong = { authorization: 'Bearer not-the-token' };
    assert.equal((await send(url, 'POST', body, 'application/json', wrong)).status, 401);
    assert.equal(await announceTooLarge(service, 10 * 1024 * 1024), 413);
    const reads = Array.from({ length: VOLLEY }, () =>
      send(`${service.url}${FILTERS_PATH}`, 'GET', undefined),
    );
    const statuses = (await Promise.all(reads)).map(({ status }) => status);
    const limited = statuses.filter((status) => status === 429).length;
    assert.ok(limited > 0, `${VOLLEY} reads of the rules at once, 4 allowed: ${statuses.join()}`);

    const [record] = await readTopic(broker.brokers, TOPIC, 1);
    assert.equal(record?.headers['kytos-event-name'], event.name);
    // Rendered at most once a second: a scrape a second later sees every answer above.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const text = await scrape(service);
    const requests = (route: string, code: number) =>
      metricSample(text, `kafka_events_http_requests_total{route="${route}",code="${code}"}`);
    assert.equal(requests('webhook', 200), 1);
    assert.equal(requests('webhook', 401), 1);
    assert.equal(requests('webhook', 413), 1, 'refused from its Content-Length, body unread');
    assert.equal(requests('filters', 429), limited);
    assert.equal(requests('filters', 200), VOLLEY - limited);
    assert.equal(
      metricSample(text, 'kafka_events_http_request_duration_seconds_count{route="webhook"}'),
      3,
    );
    for (const stage of ['received', 'permitted', 'published']) {
      assert.equal(
        metricSample(text, `kafka_events_events_total{event="${event.name}",stage="${stage}"}`),
        1,
        stage,
      );
    }
    assert.equal(metricSample(text, 'kafka_events_ready'), 1);
  });

  it('every metric the dashboard and the alert rules name is exported', async () => {
    const queries = [...dashboardQueries(), ...alertRuleQueries()];
    const named = new Set(queries.flatMap(({ expr }) => [...metricNamesOf(expr)]));
    assert.ok(named.size >= 30, `the queries name ${named.size} metrics`);
    const exported = new Set([
      ...exportedNames(await scrape(kafkaMode!)),
      ...exportedNames(await scrape(spoolMode!)),
    ]);
    const missing = [...unexported(queries, exported)].map(
      ([name, where]) => `${name} (${where.join('; ')})`,
    );
    assert.deepEqual(missing, [], `named in the monitoring, exported by no instance`);
  });

  it('finds a query that names a metric nobody exports', async () => {
    const exported = exportedNames(await scrape(kafkaMode!));
    const query = {
      where: 'panel "invented"',
      expr: 'sum by (reason) (rate(kafka_events_failed_total[5m])) / kafka_events_invented_total',
    };
    assert.deepEqual(
      [...unexported([query], exported)],
      [['kafka_events_invented_total', ['panel "invented"']]],
    );
  });
});
