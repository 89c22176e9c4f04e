import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import kafkajs from 'kafkajs';
import { FilterRule } from '../src/filters/filter-rule.js';
import { KafkaBroker } from './support/kafka-broker.js';
import {
  EVENTS_PATH,
  FILTERS_PATH,
  RunningService,
  postJson,
  send,
  startService,
} from './support/service.js';
import { countRecords, readTopic } from './support/topic-reader.js';

const { Kafka, logLevel } = kafkajs;

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

const interruption = 'topology.interruption.start';

/** Asks an instance's dry-run until it gives `published`, at most `limitMs`; returns how long it took. */
async function untilDecision(
  service: RunningService,
  name: string,
  published: boolean,
  limitMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const answer = await send(
      `${service.url}${FILTERS_PATH}/dry-run?name=${encodeURIComponent(name)}`,
      'GET',
    );
    if (answer.body.published === published) return performance.now() - started;
    if (performance.now() - started > limitMs) {
      assert.fail(
        `${service.url} still decides ${String(answer.body.published)} for ${name} after ${limitMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Writes records straight into a topic, as someone other than the service would. */
async function writeRecords(topic: string, messages: kafkajs.Message[]): Promise<void> {
  const producer = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** The rules an instance lists, without their hits: those are per instance and per lifetime. */
async function rulesAt(url: string): Promise<Record<string, unknown>> {
  const listed = (await send(url + FILTERS_PATH, 'GET')).body as Record<string, { hits?: unknown }>;
  return Object.fromEntries(
    Object.entries(listed).map(([id, { hits: _hits, ...rule }]) => [id, rule]),
  );
}

describe('rules shared by every instance through a compacted topic', () => {
  const env = () => ({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC: 'rules_events',
    FILTER_TOPIC: 'rules_shared',
  });
  let a: RunningService;
  let b: RunningService;

  before(async () => {
    [a, b] = await Promise.all([startService(env()), startService(env())]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('enforces on B, within one second, a rule added on A', async (t) => {
    assert.equal(
      (await send(`${b.url}${FILTERS_PATH}/dry-run?name=${interruption}`, 'GET')).body.published,
      false,
    );
    const created = await postJson(a.url + FILTERS_PATH, {
      pattern: 'topology\\.interruption\\.',
      description: 'maintenance',
    });
    assert.equal(created.status, 201);
    const ms = await untilDecision(b, interruption, true, 1000);
    t.diagnostic(`B enforced A's new rule after ${Math.round(ms)} ms`);
    const before = await countRecords(broker.brokers, 'rules_events');
    assert.deepEqual(
      (await postJson(b.url + EVENTS_PATH, { name: interruption, content: {} })).body,
      {
        accepted: 1,
        published: 1,
        filtered: 0,
        duplicates: 0,
      },
    );
    assert.equal(await countRecords(broker.brokers, 'rules_events'), before + 1);
  });

  it('stops on A, within one second, what a rule deleted on B allowed', async () => {
    const [id] = Object.keys(
      (await postJson(a.url + FILTERS_PATH, { pattern: 'kytos_extra/' })).body,
    );
    await untilDecision(b, 'kytos_extra/x', true, 1000);
    assert.equal((await send(`${b.url}${FILTERS_PATH}/${id}`, 'DELETE')).status, 200);
    await untilDecision(a, 'kytos_extra/x', false, 1000);
    assert.equal((await send(`${a.url}${FILTERS_PATH}/${id}`, 'GET')).status, 404);
  });

  it('applies a deny rule from A on B, whatever allows the event', async () => {
    await postJson(a.url + FILTERS_PATH, { pattern: 'kytos/mef_eline\\.', action: 'deny' });
    await untilDecision(b, 'kytos/mef_eline.created', false, 1000);
    const decision = await send(
      `${b.url}${FILTERS_PATH}/dry-run?name=kytos/mef_eline.created`,
      'GET',
    );
    assert.equal((decision.body.allowedBy as string[]).length, 1);
    assert.equal((decision.body.deniedBy as string[]).length, 1);
    assert.deepEqual(
      (await postJson(b.url + EVENTS_PATH, { name: 'kytos/mef_eline.created', content: {} })).body,
      {
        accepted: 1,
        published: 0,
        filtered: 1,
        duplicates: 0,
      },
    );
  });

  it('ends concurrent creates of the same rule on both instances with one rule', async () => {
    const rule = { pattern: 'kytos/concurrent\\.', description: 'raced' };
    const answers = await Promise.all([
      postJson(a.url + FILTERS_PATH, rule),
      postJson(b.url + FILTERS_PATH, rule),
    ]);
    for (const answer of answers)
      assert.ok([201, 400].includes(answer.status), JSON.stringify(answer.body));
    await untilDecision(a, 'kytos/concurrent.x', true, 1000);
    await untilDecision(b, 'kytos/concurrent.x', true, 1000);
    for (const service of [a, b]) {
      const rules = Object.values((await send(service.url + FILTERS_PATH, 'GET')).body) as {
        pattern: string;
      }[];
      assert.equal(rules.filter((candidate) => candidate.pattern === rule.pattern).length, 1);
    }
  });

  it('keeps every rule, with its id, across a restart of both instances', async () => {
    const beforeRestart = await rulesAt(a.url);
    assert.deepEqual(await rulesAt(b.url), beforeRestart);
    await Promise.all([a.close(), b.close()]);
    [a, b] = await Promise.all([startService(env()), startService(env())]);
    assert.deepEqual(await rulesAt(a.url), beforeRestart);
    assert.deepEqual(await rulesAt(b.url), beforeRestart);
  });
});

describe('rules that a textual join could not combine, and records that cannot be applied', () => {
  const env = () => ({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC: 'rules_events',
    FILTER_TOPIC: 'rules_hostile',
  });

  it('enforces every listed rule, skips unusable records, and lists after a restart what it enforces', async () => {
    let service = await startService(env());
    try {
      for (const pattern of [
        'kytos/(?P<napp>mef_eline)\\.',
        'kytos/(?P<napp>topology)\\.x',
        '\\Qtopology.interruption.',
      ]) {
        const created = await postJson(service.url + FILTERS_PATH, { pattern });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      // Records no API would write: not JSON, a pattern RE2 refuses, a key that is not the id.
      await writeRecords('rules_hostile', [
        { key: 'junk', value: '{not json' },
        {
          key: FilterRule.idOf('a(', 'deny'),
          value: '{"pattern":"a(","description":"","action":"deny"}',
        },
        { key: 'wrong-id', value: '{"pattern":"b","description":"","action":"allow"}' },
      ]);
      const deny = await postJson(service.url + FILTERS_PATH, {
        pattern: 'kytos/mef_eline\\.deleted',
        action: 'deny',
      });
      assert.equal(deny.status, 201, JSON.stringify(deny.body));
      await untilDecision(service, 'kytos/mef_eline.deleted', false, 1000);
      await untilDecision(service, interruption, true, 1000);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      assert.match(metrics, /kafka_events_rule_records_skipped_total 3/);
      const listed = await rulesAt(service.url);
      await service.close();
      service = await startService(env());
      assert.deepEqual(await rulesAt(service.url), listed);
      await untilDecision(service, 'kytos/mef_eline.deleted', false, 0);
      await untilDecision(service, interruption, true, 0);
      const [denyId] = Object.keys(deny.body);
      assert.equal((await send(`${service.url}${FILTERS_PATH}/${denyId}`, 'DELETE')).status, 200);
      await untilDecision(service, 'kytos/mef_eline.deleted', true, 1000);
    } finally {
      await service.close();
    }
  });
});

describe('records in the rules topic that are not rules', () => {
  it('never leave the last word on a rule: the rule is written again after one', async () => {
    const rulesTopic = 'rules_shadowed';
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'rules_events',
      FILTER_TOPIC: rulesTopic,
    });
    try {
      const deny = await postJson(service.url + FILTERS_PATH, {
        pattern: 'kytos/mef_eline\\.deleted',
        action: 'deny',
      });
      assert.equal(deny.status, 201, JSON.stringify(deny.body));
      const [denyId] = Object.keys(deny.body);
      await writeRecords(rulesTopic, [
        // An event that landed here under the rule's id, and a rule routing into this topic.
        { key: denyId, value: '{"event":"kytos/x","message":{}}' },
        {
          key: FilterRule.idOf('kytos/sneaky', 'allow'),
          value: JSON.stringify({
            pattern: 'kytos/sneaky',
            description: '',
            action: 'allow',
            topic: rulesTopic,
          }),
        },
      ]);
      const deadline = Date.now() + 15_000;
      let last: string | undefined;
      for (;;) {
        const records = await readTopic(broker.brokers, rulesTopic, 4, 5_000);
        last = records.filter((record) => record.key === denyId).at(-1)?.value;
        if ((last !== undefined && last.includes('"pattern"')) || Date.now() > deadline) break;
      }
      assert.deepEqual(JSON.parse(last ?? '{}'), {
        pattern: 'kytos/mef_eline\\.deleted',
        description: '',
        action: 'deny',
      });
      await untilDecision(service, 'kytos/mef_eline.deleted', false, 0);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      assert.match(metrics, /kafka_events_rule_records_skipped_total 2/);
    } finally {
      await service.close();
    }
  });
});

describe('the rules topic as an operator may leave it', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'kafka-events-rules-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('refuses a rules topic that is not compacted, naming the fix in readiness', async () => {
    const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: 'rules_not_compacted',
          configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
        },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const service = await startService(
      {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: 'rules_events',
        FILTER_TOPIC: 'rules_not_compacted',
      },
      { waitUntilReady: false },
    );
    try {
      let message = '';
      for (let tries = 0; tries < 100 && !/compact/.test(message); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const ready = await send(`${service.url}/health/ready`, 'GET');
        assert.equal(ready.status, 503);
        message = String(ready.body.message);
      }
      assert.match(message, /cleanup.policy=delete, not compact/);
    } finally {
      await service.close();
    }
  });

  it('decides with its snapshot while Kafka is away, and notices a rules topic that vanished', async () => {
    const env = {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'rules_events',
      FILTER_TOPIC: 'rules_snapshotted',
      FILTER_SNAPSHOT_FILE: join(scratch, 'rules.json'),
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: join(scratch, 'spool'),
    };
    let service = await startService(env);
    const deny = await postJson(service.url + FILTERS_PATH, {
      pattern: 'kytos/mef_eline\\.',
      action: 'deny',
    });
    assert.equal(deny.status, 201);
    const listed = await rulesAt(service.url);
    await service.close();

    await broker.pause();
    try {
      service = await startService(env, { waitUntilReady: false });
      assert.equal(
        (await send(`${service.url}/health/ready`, 'GET')).status,
        200,
        'ready (degraded)',
      );
      assert.deepEqual(await rulesAt(service.url), listed);
      const answer = await postJson(service.url + EVENTS_PATH, [
        { name: 'kytos/mef_eline.created', content: {} },
        { name: 'kytos/topology.link_up', content: {} },
      ]);
      assert.equal(answer.status, 202);
      assert.deepEqual(answer.body, { accepted: 2, spooled: 1, filtered: 1, duplicates: 0 });
      assert.equal((await postJson(service.url + FILTERS_PATH, { pattern: 'x' })).status, 503);
      await service.close();
    } finally {
      await broker.resume();
    }

    const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: ['rules_snapshotted'] });
    // The deletion returns before every metadata answer forgets the topic.
    for (let tries = 0; tries < 50; tries++) {
      if (!(await admin.listTopics()).includes('rules_snapshotted')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await admin.disconnect();
    service = await startService(env, { waitUntilReady: false });
    try {
      let ready = await send(`${service.url}/health/ready`, 'GET');
      for (
        let tries = 0;
        tries < 100 && !/does not exist/.test(String(ready.body.message));
        tries++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        ready = await send(`${service.url}/health/ready`, 'GET');
      }
      assert.equal(ready.status, 503);
      assert.match(
        String(ready.body.message),
        /rules_snapshotted does not exist, but the snapshot/,
      );
    } finally {
      await service.close();
    }
  });
});

describe('an instance that starts while Kafka is away', () => {
  // Its own describe: the instances above are closed by now, so the outage touches only this one.
  const env = () => ({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC: 'rules_events',
    FILTER_TOPIC: 'rules_shared',
  });

  it('is not ready, and takes no events, until the rules are loaded', async () => {
    await broker.pause();
    const late = await startService(env(), { waitUntilReady: false });
    try {
      assert.equal((await send(`${late.url}/health/ready`, 'GET')).status, 503);
      const answer = await postJson(late.url + EVENTS_PATH, { name: 'kytos/x', content: {} });
      assert.equal(answer.status, 503);
      assert.match(String(answer.body.message), /rules are still loading/);
    } finally {
      await broker.resume();
    }
    try {
      const deadline = Date.now() + 30_000;
      while ((await send(`${late.url}/health/ready`, 'GET')).status !== 200) {
        assert.ok(Date.now() < deadline, 'ready within 30 s of the broker coming back');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(
        (await send(`${late.url}${FILTERS_PATH}/dry-run?name=kytos/mef_eline.created`, 'GET')).body
          .published,
        false,
      );
    } finally {
      await late.close();
    }
  });
});

describe('patterns that cannot hurt the service', () => {
  it('decides a catastrophic pattern against a long adversarial name in bounded time', async () => {
    // Under a backtracking engine, (a+)+$ on "aaa…a!" takes time exponential in the length: with
    // 100,000 characters it would never end. Run in a worker so a hang fails instead of freezing.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.ruleSet).then(async ({ RuleSet }) => {
        const { FilterRule } = await import(workerData.filterRule);
        const rules = new RuleSet([FilterRule.create('(a+)+$', '', true), FilterRule.create('(x|x)*y', '', true, 'deny')]);
        const name = 'a'.repeat(100000) + '!';
        const started = performance.now();
        const results = [rules.permits(name), rules.explain(name).published, rules.permits('x'.repeat(100000)), rules.permits('a'.repeat(100000))];
        parentPort.postMessage({ results, ms: performance.now() - started });
      });`;
    const base = new URL('../src/filters/', import.meta.url);
    const worker = new Worker(code, {
      eval: true,
      workerData: {
        ruleSet: new URL('rule-set.js', base).href,
        filterRule: new URL('filter-rule.js', base).href,
      },
    });
    const outcome = await new Promise<{ results: boolean[]; ms: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error('the check did not finish within 10 s'));
      }, 10_000);
      worker.once('message', (message: { results: boolean[]; ms: number }) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.deepEqual(outcome.results, [false, false, false, true]);
  });

  it('refuses backtracking-only syntax and over-long patterns through the API, and caps the rule count', async () => {
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      FILTER_STORE: 'memory',
      FILTER_MAX_RULES: '2',
    });
    try {
      const backref = await postJson(service.url + FILTERS_PATH, { pattern: '(a+)\\1' });
      assert.equal(backref.status, 400);
      assert.match(String(backref.body.message), /invalid regular expression/);
      assert.equal(
        (await postJson(service.url + FILTERS_PATH, { pattern: 'a'.repeat(257) })).status,
        400,
      );
      assert.equal((await postJson(service.url + FILTERS_PATH, { pattern: '(a+)+$' })).status, 201);
      assert.equal((await postJson(service.url + FILTERS_PATH, { pattern: 'b' })).status, 201);
      const third = await postJson(service.url + FILTERS_PATH, { pattern: 'c' });
      assert.equal(third.status, 409);
      assert.match(String(third.body.message), /FILTER_MAX_RULES=2/);
      const dryRun = await send(
        `${service.url}${FILTERS_PATH}/dry-run?name=${'a'.repeat(256)}`,
        'GET',
      );
      assert.equal(dryRun.body.published, true);
      assert.equal((await send(`${service.url}${FILTERS_PATH}/dry-run`, 'GET')).status, 400);
    } finally {
      await service.close();
    }
  });
});
