import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SWAGGER_PATH } from '../src/http/api-routes.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { repoRoot } from './support/repo-root.js';
import { EVENTS_PATH, FILTERS_PATH, postJson, send } from './support/service.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { readTopic } from './support/topic-reader.js';

const MANAGEMENT_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** A GET on a connection of its own (none kept alive): its status, or the error that ended it. */
function getOnNewConnection(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Events published, summed over whatever labels the series carry. */
function publishedIn(metrics: string): number {
  let sum = 0;
  for (const [, value] of metrics.matchAll(
    /^kafka_events_published_total(?:\{[^}]*\})? (\S+)$/gm,
  )) {
    sum += Number(value);
  }
  return sum;
}

/** Posts one event to the webhook; its id, once the webhook answered 200. */
async function postEvent(service: ServiceProcess): Promise<string> {
  const id = randomUUID();
  const answer = await postJson(service.url + EVENTS_PATH, {
    name: 'kytos/topology.link_up',
    id,
    content: { link: 'l1' },
  });
  assert.equal(answer.status, 200, service.output());
  return id;
}

describe('MANAGEMENT_PORT: the probes and the metrics on a port of their own', () => {
  let broker: KafkaBroker;
  before(async () => {
    broker = await KafkaBroker.start();
  });
  after(async () => broker?.stop());

  it('set: they answer there and 404 on the webhook port, which keeps the webhook, the rules and the Swagger UI; SIGTERM closes both', async () => {
    const topic = 'management_port_set';
    const service = await spawnService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: topic,
      MANAGEMENT_PORT: '0',
      KAFKA_RETRY_DEADLINE_MS: '40000',
      KAFKA_RETRIES: '100',
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    const exited = once(service.child, 'exit');
    try {
      assert.notEqual(service.managementUrl, service.url);
      const id = await postEvent(service);
      const records = await readTopic(broker.brokers, topic, 1);
      assert.deepEqual(
        records.map((record) => record.headers['kytos-event-id']),
        [id],
      );

      for (const path of MANAGEMENT_PATHS) {
        const onWebhookPort = await send(service.url + path, 'GET');
        assert.equal(onWebhookPort.status, 404, path);
        assert.deepEqual(onWebhookPort.body, {
          statusCode: 404,
          error: 'Not Found',
          message: `Cannot GET ${path}`,
        });
      }
      assert.equal((await send(`${service.managementUrl}/health/live`, 'GET')).status, 200);
      assert.equal((await send(`${service.managementUrl}/health/ready`, 'GET')).status, 200);
      const scrape = await fetch(`${service.managementUrl}/metrics`);
      assert.equal(scrape.status, 200);
      // The same instance as the webhook's: it counted the event posted there.
      assert.equal(publishedIn(await scrape.text()), 1);

      assert.equal((await send(service.url + FILTERS_PATH, 'GET')).status, 200);
      assert.equal((await fetch(`${service.url}/${SWAGGER_PATH}`)).status, 200);
      for (const path of [FILTERS_PATH, `/${SWAGGER_PATH}`]) {
        assert.equal((await send(service.managementUrl + path, 'GET')).status, 404, path);
      }
      const onManagementPort = await postJson(service.managementUrl + EVENTS_PATH, {
        name: 'kytos/topology.link_up',
        content: {},
      });
      assert.equal(onManagementPort.status, 404);

      // A request held in flight (Kafka away) keeps the process up while both ports close.
      await broker.pause();
      const inFlight = postJson(service.url + EVENTS_PATH, {
        name: 'kytos/topology.link_down',
        id: randomUUID(),
        content: {},
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      service.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(
        await getOnNewConnection(`${service.managementUrl}/health/ready`),
        'ECONNREFUSED',
        'the readiness probe fails once the shutdown began',
      );
      assert.equal(await getOnNewConnection(service.url + FILTERS_PATH), 'ECONNREFUSED');
      await broker.resume();
      assert.equal((await inFlight).status, 200, service.output());
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, service.output());
      assert.match(service.output(), /stopped cleanly/);
    } finally {
      service.child.kill('SIGKILL');
      await broker.resume();
    }
  });

  it('unset: one port serves the webhook, the probes and the metrics, as before', async () => {
    const topic = 'management_port_unset';
    const service = await spawnService({ KAFKA_BROKERS: broker.brokers, KAFKA_TOPIC: topic });
    try {
      assert.equal(service.managementUrl, service.url);
      const id = await postEvent(service);
      const records = await readTopic(broker.brokers, topic, 1);
      assert.deepEqual(
        records.map((record) => record.headers['kytos-event-id']),
        [id],
      );
      for (const path of MANAGEMENT_PATHS) {
        assert.equal((await fetch(service.url + path)).status, 200, path);
      }
      assert.doesNotMatch(service.output(), /MANAGEMENT_PORT/);
    } finally {
      service.child.kill('SIGTERM');
      await once(service.child, 'exit');
    }
  });

  it('refuses to start with a management port that cannot be one, naming it', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const takenPort = (taken.address() as AddressInfo).port;
    const cases: [Record<string, string>, string][] = [
      [
        { PORT: '8080', MANAGEMENT_PORT: '8080' },
        'MANAGEMENT_PORT (8080) must differ from PORT (8080)',
      ],
      [{ MANAGEMENT_PORT: '70000' }, 'MANAGEMENT_PORT="70000" is not allowed'],
      [{ MANAGEMENT_PORT: 'metrics' }, 'MANAGEMENT_PORT="metrics" is not allowed'],
      [{ MANAGEMENT_HOST: '127.0.0.1' }, 'MANAGEMENT_HOST is set but MANAGEMENT_PORT is not'],
      [
        { MANAGEMENT_PORT: String(takenPort) },
        `MANAGEMENT_PORT=${takenPort} on 127.0.0.1 cannot be listened on: EADDRINUSE`,
      ],
    ];
    try {
      for (const [env, message] of cases) {
        const child = spawn(process.execPath, [join(repoRoot, 'dist/src/main.js')], {
          env: {
            ...process.env,
            HOST: '127.0.0.1',
            PORT: '0',
            AUTH_DISABLED: 'true',
            KAFKA_BROKERS: broker.brokers,
            ...env,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const [code] = (await once(child, 'exit')) as [number | null];
        assert.equal(code, 1, JSON.stringify(env));
        assert.ok(stderr.includes(message), `${JSON.stringify(env)}: ${stderr}`);
        assert.doesNotMatch(stderr, /\s+at /, 'no stack trace for a configuration mistake');
      }
    } finally {
      taken.close();
    }
  });
});
