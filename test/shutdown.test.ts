import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { repoRoot } from './support/repo-root.js';
import { EVENTS_PATH, postJson } from './support/service.js';
import { spawnService } from './support/service-process.js';
import { readTopic } from './support/topic-reader.js';

const topic = 'shutdown';

describe('SIGTERM: stop taking requests, finish the ones in flight, flush, exit', () => {
  let broker: KafkaBroker;
  before(async () => {
    broker = await KafkaBroker.start();
  });
  after(async () => broker?.stop());

  it('answers the requests in flight after Kafka returns, refuses new ones, exits 0', async () => {
    const service = await spawnService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      KAFKA_RETRY_DEADLINE_MS: '40000',
      KAFKA_RETRIES: '100',
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    const warmup = { name: 'kytos/core.started', id: randomUUID(), content: {} };
    assert.equal((await postJson(service.url + EVENTS_PATH, warmup)).status, 200);

    // With the broker away, requests stay in flight inside the retry loop.
    await broker.pause();
    const events = Array.from({ length: 5 }, () => ({
      name: 'kytos/topology.link_up',
      id: randomUUID(),
      content: {},
    }));
    const inFlight = events.map((event) => postJson(service.url + EVENTS_PATH, event));
    await new Promise((resolve) => setTimeout(resolve, 500));

    const exited = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assert.rejects(
      postJson(service.url + EVENTS_PATH, events[0]),
      'a new connection is refused while closing',
    );

    await broker.resume();
    const answers = await Promise.all(inFlight);
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 200, 200, 200],
      service.output(),
    );
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, service.output());
    assert.match(service.output(), /stopped cleanly/);

    const records = await readTopic(broker.brokers, topic, events.length + 1);
    const ids = new Set(records.map((record) => record.headers['kytos-event-id']));
    for (const event of [warmup, ...events])
      assert.ok(ids.has(event.id), `${event.id} is in the topic`);
  });

  it('under load from 16 keep-alive senders, answers every request it took; none is cut off', async () => {
    const loadTopic = 'shutdown_load';
    const service = await spawnService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: loadTopic,
      FILTER_STORE: 'memory',
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const outcomes: Record<string, number> = {};
    const acknowledged: string[] = [];
    const exited = once(service.child, 'exit');
    let running = true;
    void exited.then(() => (running = false));
    const sender = async () => {
      for (let sent = 0; running && sent < 5000; sent++) {
        const id = randomUUID();
        const outcome = await postOnce(agent, service.url + EVENTS_PATH, {
          name: 'kytos/topology.link_up',
          id,
          content: {},
        });
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (outcome === '200') acknowledged.push(id);
        if (outcome === 'ECONNREFUSED') return;
      }
    };
    const senders = Array.from({ length: 16 }, sender);
    // Early, while the service is still warming up and requests wait long: many are in flight.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    service.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    await Promise.all(senders);
    agent.destroy();
    assert.equal(code, 0, service.output());
    const cut = Object.entries(outcomes).filter(
      ([outcome]) => outcome !== '200' && outcome !== 'ECONNREFUSED',
    );
    assert.deepEqual(cut, [], `answers: ${JSON.stringify(outcomes)}`);
    assert.ok(acknowledged.length > 0, JSON.stringify(outcomes));
    const records = await readTopic(broker.brokers, loadTopic, acknowledged.length);
    const ids = new Set(records.map((record) => record.headers['kytos-event-id']));
    assert.deepEqual(
      acknowledged.filter((id) => !ids.has(id)),
      [],
      'every answered event is in Kafka',
    );
  });

  const uploads: { who: string; auth: Record<string, string>; headers: Record<string, string> }[] =
    [
      {
        who: 'an unauthenticated upload (a made-up signature)',
        auth: { AUTH_WEBHOOK_SECRET: 'a-webhook-secret-for-the-shutdown-test' },
        headers: {
          'x-kytos-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-kytos-signature': `sha256=${'0'.repeat(64)}`,
        },
      },
      {
        who: "a bearer token's upload",
        auth: { AUTH_WEBHOOK_TOKEN: 'a-webhook-token-for-the-shutdown-test' },
        headers: { authorization: 'Bearer a-webhook-token-for-the-shutdown-test' },
      },
    ];
  for (const { who, auth, headers } of uploads) {
    it(`SIGTERM cuts ${who} still arriving at once, closes in order, exits 0`, async () => {
      const service = await spawnService({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: 'shutdown_upload',
        FILTER_STORE: 'memory',
        AUTH_DISABLED: 'false',
        ...auth,
        SHUTDOWN_TIMEOUT_MS: '20000',
      });
      const upload = slowUpload(service.url + EVENTS_PATH, headers).catch((error: Error) => ({
        status: 0,
        body: error.message,
        connection: '',
      }));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const exited = once(service.child, 'exit');
      const signalled = performance.now();
      service.child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      const tookMs = performance.now() - signalled;
      assert.equal(code, 0, service.output());
      assert.match(service.output(), /stopped cleanly/);
      assert.ok(tookMs < 10_000, `exited ${tookMs.toFixed(0)} ms after SIGTERM`);
      const answer = await upload;
      assert.equal(answer.status, 503, service.output());
      assert.match(answer.body, /shutting down/);
      assert.equal(answer.connection, 'close');
    });
  }

  it('refuses to start with a bad setting, naming it', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/src/main.js')], {
      env: { ...process.env, KAFKA_ACKS: 'most', PORT: 'x' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.match(stderr, /KAFKA_ACKS="most" is not allowed: expected one of all, 1, 0/);
    assert.match(stderr, /PORT="x" is not allowed/);
    assert.doesNotMatch(stderr, /\s+at /, 'no stack trace for a configuration mistake');
  });
});

/** One POST on a keep-alive agent: its status, or the code of the error that ended it unanswered. */
function postOnce(agent: Agent, url: string, body: unknown): Promise<string> {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        timeout: 30_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(String(response.statusCode)));
        response.on('error', (error: NodeJS.ErrnoException) =>
          resolve(error.code ?? error.message),
        );
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(payload);
  });
}

/**
 * A 1 MiB upload with `credentials`, trickled 1 KiB every 100 ms (it would take minutes): its
 * answer, once one comes.
 */
function slowUpload(
  url: string,
  credentials: Record<string, string>,
): Promise<{ status: number; body: string; connection: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': 1024 * 1024,
        ...credentials,
      },
    });
    const trickle = setInterval(() => req.write(Buffer.alloc(1024, 0x20)), 100);
    req.on('response', (response) => {
      clearInterval(trickle);
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          connection: response.headers.connection ?? '',
        }),
      );
    });
    req.on('error', (error) => {
      clearInterval(trickle);
      reject(error);
    });
  });
}
