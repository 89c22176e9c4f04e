import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signWebhook } from '../src/auth/webhook-signature.js';
import { reportBound } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { metricSample } from './support/metric-sample.js';
import { percentile } from './support/percentile.js';
import { EVENTS_PATH } from './support/service.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';

const secret = 'a-webhook-secret-for-the-edge-budgets';
/** An event the default presets deny: the request is authenticated and answered, Kafka is spared. */
const DENIED = 'kytos/of_core.v0x04.messages.in.ofpt_echo_request';

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

async function signedService(env: Record<string, string> = {}): Promise<ServiceProcess> {
  return spawnService({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC: 'edge_budgets',
    FILTER_STORE: 'memory',
    AUTH_DISABLED: 'false',
    AUTH_WEBHOOK_SECRET: secret,
    ...env,
  });
}

async function stop(service: ServiceProcess | undefined): Promise<void> {
  if (!service) return;
  service.child.kill('SIGTERM');
  if (service.child.exitCode === null) await once(service.child, 'exit');
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over `agent` (keep-alive), its answer read whole. */
function call(
  agent: Agent,
  url: string,
  method: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A distinct, correctly signed single event (the body differs, so the signature does). */
function signedEvent(agent: Agent, url: string, n: number): Promise<Reply> {
  const body = Buffer.from(`{"name":"${DENIED}","content":{"n":${n}}}`);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return call(agent, url + EVENTS_PATH, 'POST', body, {
    'content-type': 'application/json',
    'x-kytos-timestamp': timestamp,
    'x-kytos-signature': signWebhook(secret, timestamp, body),
  });
}

/** `count` signed requests over `senders` keep-alive connections: the answers' statuses. */
async function signedRequests(url: string, count: number, senders: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: senders });
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: senders }, async () => {
        for (let n = next++; n < count; n = next++) {
          const { status } = await signedEvent(agent, url, n);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { statuses, seconds: (performance.now() - started) / 1000 };
}

describe('the replay guard', () => {
  it('answers a correctly signed request past AUTH_REPLAY_CAPACITY with 503 and Retry-After, never 401', async () => {
    const service = await signedService({
      AUTH_MAX_SKEW_SECONDS: '60',
      AUTH_REPLAY_CAPACITY: '1000',
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const { statuses } = await signedRequests(service.url, 1000, 8);
      assert.deepEqual([...statuses], [[200, 1000]], 'the capacity is held');
      const full = await signedEvent(agent, service.url, 1000);
      assert.equal(full.status, 503, full.body);
      const retryAfter = Number(full.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.match(
        (JSON.parse(full.body) as { message: string }).message,
        /replay window \(AUTH_REPLAY_CAPACITY\); retry in/,
      );
      const forged = await call(agent, service.url + EVENTS_PATH, 'POST', Buffer.from('{}'), {
        'content-type': 'application/json',
        'x-kytos-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-kytos-signature': `sha256=${'0'.repeat(64)}`,
      });
      assert.equal(forged.status, 401, 'a wrong signature is still refused');
      const metrics = (await call(agent, `${service.url}/metrics`, 'GET')).body;
      assert.equal(metricSample(metrics, 'kafka_events_replay_guard_full_total'), 1);
      assert.equal(metricSample(metrics, 'kafka_events_replay_guard_signatures'), 1000);
    } finally {
      agent.destroy();
      await stop(service);
    }
  });

  it('takes 150,000 correctly signed requests within the window with the default settings, none refused', async (t) => {
    // 150,000 requests outrun a CI runner's time box; the full count runs in `npm run chaos`.
    const count = process.env.CHAOS_SECONDS ? 150_000 : 5_000;
    const service = await signedService();
    try {
      const { statuses, seconds } = await signedRequests(service.url, count, 16);
      const measured = `${count} signed requests in ${seconds.toFixed(1)} s: ${[...statuses]
        .map(([status, n]) => `${n} × ${status}`)
        .join(', ')}`;
      t.diagnostic(measured);
      reportBound({
        attack: `${count} correctly signed requests within the replay window (default settings)`,
        bound:
          'AUTH_REPLAY_CAPACITY 1,000,000 held (24 B each); past it 503 + Retry-After, never 401',
        measured,
      });
      assert.deepEqual([...statuses], [[200, count]]);
      assert.ok(seconds < 300, 'all of them within the default window (300 s)');
    } finally {
      await stop(service);
    }
  });
});

describe('/metrics under a flood', () => {
  let service: ServiceProcess;
  before(async () => {
    service = await signedService();
  });
  after(async () => stop(service));

  /** Sequential signed requests from one sender for `ms`: each one's latency, sorted. */
  async function signedLatencies(ms: number, first: number): Promise<number[]> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const latencies: number[] = [];
    const deadline = performance.now() + ms;
    try {
      for (let n = first; performance.now() < deadline; n++) {
        const started = performance.now();
        const { status } = await signedEvent(agent, service.url, n);
        latencies.push(performance.now() - started);
        assert.equal(status, 200);
      }
    } finally {
      agent.destroy();
    }
    return latencies.sort((a, b) => a - b);
  }

  it('refuses a client past its scrape rate with 429, and the signed sender keeps its pace', async (t) => {
    await signedLatencies(1000, 0);
    const quiet = await signedLatencies(4000, 100_000);
    // As the audit did: one client at about 400 scrapes a second.
    const flooder = new Agent({ keepAlive: true, maxSockets: 16 });
    const scrapes = new Map<number, number>();
    let inFlight = 0;
    const flood = setInterval(() => {
      for (let i = 0; i < 4 && inFlight < 64; i++) {
        inFlight++;
        void call(flooder, `${service.url}/metrics`, 'GET')
          .then(({ status }) => scrapes.set(status, (scrapes.get(status) ?? 0) + 1))
          .catch(() => scrapes.set(0, (scrapes.get(0) ?? 0) + 1))
          .finally(() => inFlight--);
      }
    }, 10);
    const floodStarted = performance.now();
    let flooded: number[];
    try {
      flooded = await signedLatencies(4000, 200_000);
    } finally {
      clearInterval(flood);
    }
    const floodSeconds = (performance.now() - floodStarted) / 1000;
    while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    flooder.destroy();
    const p50 = (sorted: number[]) => percentile(sorted, 0.5);
    const served = scrapes.get(200) ?? 0;
    const limited = scrapes.get(429) ?? 0;
    const measured =
      `signed p50 ${p50(quiet).toFixed(1)} ms alone, ${p50(flooded).toFixed(1)} ms beside ` +
      `${Math.round((served + limited) / floodSeconds)} scrapes/s from one client ` +
      `(${served} × 200, ${limited} × 429 in ${floodSeconds.toFixed(1)} s)`;
    t.diagnostic(measured);
    reportBound({
      attack: 'one client scraping /metrics at about 400 requests a second',
      bound: `5 scrapes/s per client (burst 20), then 429; one rendering a second; signed p50 at most 3× + 5 ms`,
      measured,
    });
    assert.ok(limited > 0, 'past its rate the client is refused');
    assert.ok(served <= 20 + 5 * Math.ceil(floodSeconds) + 5, `${served} scrapes served`);
    assert.ok(
      p50(flooded) <= 3 * p50(quiet) + 5,
      `the signed sender's p50 moved from ${p50(quiet).toFixed(1)} to ${p50(flooded).toFixed(1)} ms`,
    );
  });
});
