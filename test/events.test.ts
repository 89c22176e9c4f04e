import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { repoRoot } from './support/repo-root.js';
import { sampleEvents } from './support/sample-events.js';
import {
  EVENTS_PATH,
  FILTERS_PATH,
  RunningService,
  postJson,
  send,
  startService,
  type Answer,
} from './support/service.js';
import { countRecords, readTopic } from './support/topic-reader.js';

const permitted = sampleEvents.filter((event) => /^kytos[./]/.test(event.name));

// One broker for the whole file; each group of tests uses topics of its own.
let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

describe('the webhook against a real Kafka broker', () => {
  let service: RunningService;
  const topic = 'events_e2e';

  before(async () => {
    service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      INGEST_MAX_BODY_BYTES: '200000',
      INGEST_MAX_BATCH_EVENTS: '50',
    });
  });

  after(async () => service?.close());

  it('publishes the permitted sample events with exact value, key and headers', async () => {
    const answer = await postJson(service.url + EVENTS_PATH, sampleEvents);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {
      accepted: sampleEvents.length,
      published: permitted.length,
      filtered: sampleEvents.length - permitted.length,
      duplicates: 0,
    });
    assert.equal(
      sampleEvents.length - permitted.length,
      1,
      'topology.interruption.start has no kytos/ prefix',
    );

    const records = await readTopic(broker.brokers, topic, permitted.length);
    assert.equal(records.length, permitted.length);
    const byId = new Map(records.map((record) => [record.headers['kytos-event-id'], record]));
    for (const event of permitted) {
      const record = byId.get(event.id);
      assert.ok(record, `event ${event.id} (${event.name}) reached the topic`);
      assert.deepEqual(JSON.parse(record.value), {
        event: event.name,
        message: event.content,
        id: event.id,
        timestamp: event.timestamp,
      });
      assert.equal(record.key, event.name);
      assert.deepEqual(record.headers, {
        'kytos-event-name': event.name,
        'kytos-event-id': event.id,
        'content-type': 'application/json',
      });
    }
    // Same key, same partition: one name's events keep their order.
    const partitions = new Map<string, Set<number>>();
    for (const record of records) {
      partitions.set(
        record.key ?? '',
        (partitions.get(record.key ?? '') ?? new Set()).add(record.partition),
      );
    }
    for (const [name, used] of partitions) assert.equal(used.size, 1, `${name} used one partition`);
  });

  it('publishes an event without id and timestamp, generating both', async () => {
    const before = await countRecords(broker.brokers, topic);
    const answer = await postJson(service.url + EVENTS_PATH, {
      name: 'kytos/core.shutdown',
      content: {},
    });
    assert.equal(answer.status, 200);
    const records = await readTopic(broker.brokers, topic, before + 1);
    const record = records.find((candidate) => candidate.key === 'kytos/core.shutdown');
    assert.ok(record);
    const value = JSON.parse(record.value) as Record<string, string>;
    assert.match(value.id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(record.headers['kytos-event-id'], value.id);
    assert.ok(Math.abs(Date.parse(value.timestamp ?? '') - Date.now()) < 60_000);
  });

  it('lets an operator rule through, and stops it again when the rule is deleted', async () => {
    const interruption = {
      name: 'topology.interruption.start',
      content: { type: 'link', id: 'x' },
    };
    const created = await postJson(service.url + FILTERS_PATH, {
      pattern: 'topology\\.interruption\\.',
      description: 'maintenance',
    });
    assert.equal(created.status, 201);
    const [id] = Object.keys(created.body);
    assert.deepEqual(created.body[id ?? ''], {
      pattern: 'topology\\.interruption\\.',
      mutable: true,
      description: 'maintenance',
      action: 'allow',
      hits: { allowed: 0, denied: 0 },
    });

    const listed = await send(service.url + FILTERS_PATH, 'GET');
    assert.equal(Object.keys(listed.body).length, 6, 'five presets and the new rule');
    assert.deepEqual(listed.body[id ?? ''], created.body[id ?? '']);
    assert.deepEqual((await send(service.url + `${FILTERS_PATH}/${id}`, 'GET')).body, created.body);

    const before = await countRecords(broker.brokers, topic);
    assert.deepEqual((await postJson(service.url + EVENTS_PATH, interruption)).body, {
      accepted: 1,
      published: 1,
      filtered: 0,
      duplicates: 0,
    });
    assert.equal(await countRecords(broker.brokers, topic), before + 1);
    // The rule counts what it let through, in the API and as a metric labelled by its id.
    const hits = (await send(service.url + `${FILTERS_PATH}/${id}`, 'GET')).body[id ?? ''];
    assert.deepEqual((hits as { hits: unknown }).hits, { allowed: 1, denied: 0 });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(`kafka_events_rule_hits_total\\{rule="${id}",outcome="allowed"\\} 1\\n`),
    );

    const removed = await send(service.url + `${FILTERS_PATH}/${id}`, 'DELETE');
    assert.equal(removed.status, 200);
    assert.deepEqual(Object.keys(removed.body), [id]);
    assert.deepEqual((await postJson(service.url + EVENTS_PATH, interruption)).body, {
      accepted: 1,
      published: 0,
      filtered: 1,
      duplicates: 0,
    });
    assert.equal(await countRecords(broker.brokers, topic), before + 1);
  });

  it('answers filter API mistakes with the right status and a reason', async () => {
    const presetId = Object.keys((await send(service.url + FILTERS_PATH, 'GET')).body)[0];
    const cases: [
      string,
      () => Promise<{ status: number; body: Record<string, unknown> }>,
      number,
      RegExp,
    ][] = [
      [
        'invalid regex',
        () => postJson(service.url + FILTERS_PATH, { pattern: 'kytos/(' }),
        400,
        /invalid regular expression/,
      ],
      [
        'anchor escape',
        () => postJson(service.url + FILTERS_PATH, { pattern: 'a)|(b' }),
        400,
        /invalid regular expression/,
      ],
      [
        'empty pattern',
        () => postJson(service.url + FILTERS_PATH, { pattern: '' }),
        400,
        /pattern should not be empty/,
      ],
      [
        'too long',
        () => postJson(service.url + FILTERS_PATH, { pattern: 'a'.repeat(257) }),
        400,
        /longer than 256/,
      ],
      [
        'duplicate',
        () => postJson(service.url + FILTERS_PATH, { pattern: 'kytos[./](.*)' }),
        409,
        /already exists/,
      ],
      [
        'not json',
        () =>
          postJson(service.url + FILTERS_PATH, 'pattern=x', 'application/x-www-form-urlencoded'),
        415,
        /application\/json/,
      ],
      ['preset', () => send(service.url + `${FILTERS_PATH}/${presetId}`, 'DELETE'), 403, /preset/],
      [
        'unknown id',
        () => send(service.url + `${FILTERS_PATH}/ffffffffffffffff`, 'DELETE'),
        404,
        /no rule/,
      ],
    ];
    for (const [label, call, status, message] of cases) {
      const answer = await call();
      assert.equal(answer.status, status, label);
      assert.equal(answer.body.statusCode, status, label);
      assert.match(String(answer.body.message), message, label);
      assert.equal(typeof answer.body.error, 'string', label);
    }
  });

  it('publishes 64-bit OpenFlow cookies digit for digit (JSON.parse would round them)', async () => {
    const id = '7c1e9f2a-5b3d-4e8f-9a6b-1c2d3e4f5a6b';
    const body =
      `{"id":"${id}","name":"kytos/flow_manager.flow.added",` +
      '"content":{"flow":{"cookie":12284372328023095114,"priority":20000,"table_id":0}}}';
    const before = await countRecords(broker.brokers, topic);
    const answer = await postJson(service.url + EVENTS_PATH, body);
    assert.equal(answer.status, 200);
    const records = await readTopic(broker.brokers, topic, before + 1);
    const record = records.find((candidate) => candidate.headers['kytos-event-id'] === id);
    assert.ok(record, 'the flow event is in the topic');
    assert.match(record.value, /"cookie":12284372328023095114,/);
  });

  it('rejects every kind of bad webhook input and publishes nothing of it', async () => {
    const good = { name: 'kytos/topology.link_up', content: {} };
    const cases: [
      string,
      () => Promise<{ status: number; body: Record<string, unknown> }>,
      number,
      RegExp,
      unknown?,
    ][] = [
      [
        'malformed JSON',
        () => postJson(service.url + EVENTS_PATH, '[{"name": "kytos/x",'),
        400,
        /not a JSON object or array/,
      ],
      [
        'a 64-bit number where only a string may stand (an object key)',
        () =>
          postJson(
            service.url + EVENTS_PATH,
            '{"name":"kytos/topology.link_up","content":{12284372328023095114:1}}',
          ),
        400,
        /not a JSON object or array/,
      ],
      [
        'JSON scalar',
        () => postJson(service.url + EVENTS_PATH, '42'),
        400,
        /not a JSON object or array/,
      ],
      [
        'missing name',
        () => postJson(service.url + EVENTS_PATH, [good, { content: {} }]),
        400,
        /event 1 is invalid: name is required/,
        [{ index: 1, field: 'name', reason: 'is required' }],
      ],
      [
        'empty name',
        () => postJson(service.url + EVENTS_PATH, [good, good, { name: '', content: {} }]),
        400,
        /event 2 is invalid: name must not be empty/,
      ],
      [
        'non-string name',
        () => postJson(service.url + EVENTS_PATH, { name: 7, content: {} }),
        400,
        /event 0 is invalid: name must be a string/,
      ],
      [
        'array content',
        () => postJson(service.url + EVENTS_PATH, [good, { name: 'kytos/x', content: [1] }]),
        400,
        /event 1 is invalid: content must be a JSON object/,
      ],
      [
        'missing content',
        () => postJson(service.url + EVENTS_PATH, { name: 'kytos/x' }),
        400,
        /event 0 is invalid: content is required/,
      ],
      [
        'name too long',
        () =>
          postJson(service.url + EVENTS_PATH, { name: 'kytos/' + 'x'.repeat(251), content: {} }),
        400,
        /at most 256 characters/,
      ],
      [
        'bad id',
        () => postJson(service.url + EVENTS_PATH, { ...good, id: 'not-a-uuid' }),
        400,
        /id must be a UUID/,
      ],
      [
        'bad timestamp',
        () => postJson(service.url + EVENTS_PATH, { ...good, timestamp: 'yesterday' }),
        400,
        /timestamp must be an RFC 3339/,
      ],
      [
        'not an event',
        () => postJson(service.url + EVENTS_PATH, [good, 'kytos/x']),
        400,
        /event 1 is invalid: event must be a JSON object/,
      ],
      ['empty batch', () => postJson(service.url + EVENTS_PATH, []), 400, /no events/],
      [
        'text body',
        () => postJson(service.url + EVENTS_PATH, JSON.stringify(good), 'text/plain'),
        415,
        /Content-Type must be application\/json/,
      ],
      [
        'no content type',
        () => send(service.url + EVENTS_PATH, 'POST', JSON.stringify(good)),
        415,
        /Content-Type/,
      ],
      [
        'body too large',
        () =>
          postJson(service.url + EVENTS_PATH, [
            good,
            { name: 'kytos/x', content: { blob: 'x'.repeat(300_000) } },
          ]),
        413,
        /larger than 200000 bytes/,
      ],
      [
        'content nested too deeply to serialize',
        () =>
          postJson(
            service.url + EVENTS_PATH,
            `[{"name":"kytos/x","content":{}},{"name":"kytos/y","content":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}}]`,
          ),
        400,
        /event 1 is invalid: its record content is nested too deeply/,
        [{ index: 1, field: 'content', reason: 'is nested too deeply to serialize' }],
      ],
      [
        'batch too long',
        () =>
          postJson(
            service.url + EVENTS_PATH,
            Array.from({ length: 51 }, () => good),
          ),
        413,
        /at most 50/,
      ],
      [
        'CR and LF in an event name (it becomes a header and the key)',
        () =>
          postJson(service.url + EVENTS_PATH, [
            good,
            { name: 'kytos/x\r\nX-Injected: 1', content: {} },
          ]),
        400,
        /invalid/,
        [
          {
            index: 1,
            field: 'name',
            reason: 'must not hold control characters (U+0000 to U+001F, U+007F to U+009F)',
          },
        ],
      ],
      ...(['id', 'type', 'subject'] as const).map(
        (field): [string, () => Promise<Answer>, number, RegExp, unknown] => [
          `a NUL in a CloudEvent's ${field}`,
          () =>
            postJson(
              service.url + EVENTS_PATH,
              {
                specversion: '1.0',
                id: 'c-1',
                source: 'kytos',
                type: 'kytos/topology.link_up',
                subject: 's1',
                data: {},
                [field]: `x\u0000y`,
              },
              'application/cloudevents+json',
            ),
          400,
          /invalid/,
          [
            {
              index: 0,
              field,
              reason: 'must not hold control characters (U+0000 to U+001F, U+007F to U+009F)',
            },
          ],
        ],
      ),
    ];
    const before = await countRecords(broker.brokers, topic);
    for (const [label, call, status, message, details] of cases) {
      const answer = await call();
      assert.equal(answer.status, status, label);
      assert.equal(answer.body.statusCode, status, label);
      assert.match(String(answer.body.message), message, label);
      if (details) assert.deepEqual(answer.body.details, details, label);
      assert.ok(!JSON.stringify(answer.body).includes('/work/'), `${label}: no internal paths`);
    }
    assert.equal(
      await countRecords(broker.brokers, topic),
      before,
      'nothing of a rejected request was published',
    );
  });

  it('serves the OpenAPI document that openapi.json holds (no drift)', async () => {
    const served = await send(service.url + '/api/docs/openapi.json', 'GET');
    const committed = JSON.parse(readFileSync(join(repoRoot, 'openapi.json'), 'utf8')) as unknown;
    assert.deepEqual(served.body, committed, 'openapi.json is stale: run `npm run openapi`');
    // The rate limiter answers on every route, so every operation declares its 429.
    const paths = (served.body as { paths: Record<string, Record<string, { responses: object }>> })
      .paths;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        assert.ok('429' in operation.responses, `${method} ${path} does not declare its 429`);
      }
    }
    const ui = await fetch(service.url + '/api/docs');
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger-ui/i);
  });
});

describe('record keys by configuration', () => {
  it('keys by event id when KAFKA_RECORD_KEY=id', async () => {
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'keyed_by_id',
      KAFKA_RECORD_KEY: 'id',
    });
    try {
      const [event] = permitted;
      assert.ok(event);
      assert.equal((await postJson(service.url + EVENTS_PATH, event)).status, 200);
      const [record] = await readTopic(broker.brokers, 'keyed_by_id', 1);
      assert.equal(record?.key, event.id);
    } finally {
      await service.close();
    }
  });
});

describe('records Kafka cannot take', () => {
  let service: RunningService;
  const topic = 'too_large';

  before(async () => {
    service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      KAFKA_COMPRESSION: 'none',
      INGEST_MAX_BODY_BYTES: String(4 * 1024 * 1024),
      KAFKA_MAX_RECORD_BYTES: String(3 * 1024 * 1024),
      KAFKA_RETRY_DEADLINE_MS: '20000',
    });
  });

  after(async () => service?.close());

  it('refuses a record over KAFKA_MAX_RECORD_BYTES with 413 before sending anything', async () => {
    const huge = {
      name: 'kytos/topology.updated',
      content: { topology: 'x'.repeat(3.5 * 1024 * 1024) },
    };
    const answer = await postJson(service.url + EVENTS_PATH, [
      { name: 'kytos/a', content: {} },
      huge,
    ]);
    assert.equal(answer.status, 413);
    assert.match(
      String(answer.body.message),
      /event 1 is \d+ bytes as a Kafka record, uncompressed; KAFKA_MAX_RECORD_BYTES allows/,
    );
    assert.equal(await countRecords(broker.brokers, topic), 0);
  });

  it('publishes a record over the broker-wide default, into a topic it made to take KAFKA_MAX_RECORD_BYTES', async () => {
    // 1.5 MiB uncompressed: over Kafka's default max.message.bytes (1 MiB), under ours.
    const large = {
      name: 'kytos/topology.updated',
      id: randomUUID(),
      content: { topology: 'x'.repeat(1.5 * 1024 * 1024) },
    };
    const answer = await postJson(service.url + EVENTS_PATH, large);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const [record] = await readTopic(broker.brokers, topic, 1);
    assert.equal(record?.headers['kytos-event-id'], large.id);
    assert.deepEqual(
      (JSON.parse(record?.value ?? '{}') as { message: unknown }).message,
      large.content,
    );
  });
});
