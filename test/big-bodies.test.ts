import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { flowStats } from './support/big-kytos-events.js';
import { reportBound } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { rssMiB } from './support/process-usage.js';
import { EVENTS_PATH } from './support/service.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';
import { readTopic } from './support/topic-reader.js';

// Webhook bodies at the size limit, many long numbers each, alone and eight at once: the service
// keeps answering its probes, stays ready, answers every request in time within a memory bound,
// and what it acknowledged is in Kafka digit for digit (#33).

const MiB = 1024 * 1024;
const TOPIC = 'big_bodies';
/**
 * What the docs state (docs/security.md), with room for a busy machine: JSON.parse of a body and
 * kafkajs' CRC of a record still run in one piece each.
 */
const MAX_LIVENESS_STALL_MS = 3000;
const MAX_ANSWER_MS = 30_000;
const MAX_RSS_GROWTH_MIB = 700;

let broker: KafkaBroker;
let service: ServiceProcess;
before(async () => {
  broker = await KafkaBroker.start();
  service = await spawnService({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC: TOPIC,
    KAFKA_TOPIC_PARTITIONS: '1',
    FILTER_STORE: 'memory',
  });
});
after(async () => {
  service?.child.kill('SIGTERM');
  if (service) await once(service.child, 'exit');
  await broker?.stop();
});

/** A Kytos event of sixteen-digit numbers above 2^53 (each carried exactly), `bytes` long. */
function numbersEvent(bytes: number): { id: string; content: string; body: Buffer } {
  const id = randomUUID();
  const head = `{"name":"kytos/of_core.flow_stats.received","id":"${id}","content":`;
  const numbers: string[] = [];
  let size = head.length + '{"numbers":[]}}'.length;
  for (let i = 0; size + 17 < bytes; i++) {
    numbers.push(String(9_100_000_000_000_000n + BigInt(i) * 7919n));
    size += 17;
  }
  const content = `{"numbers":[${numbers.join(',')}]}`;
  return { id, content, body: Buffer.from(`${head}${content}}`) };
}

function flowEvent(flows: number): { id: string; content: string; body: Buffer } {
  const id = randomUUID();
  const { name, content } = flowStats(flows);
  return { id, content, body: Buffer.from(`{"name":"${name}","id":"${id}","content":${content}}`) };
}

interface Answer {
  status: number;
  retryAfter?: string;
  ms: number;
}

function post(body: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${service.url}${EVENTS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      agent: false,
    });
    req.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          retryAfter: response.headers['retry-after'],
          ms: performance.now() - started,
        }),
      );
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

/** Request `i` was answered in time: taken, or told to retry (503 with Retry-After). */
function assertAnsweredInTime(answer: Answer, i: number): void {
  assert.ok(answer.ms < MAX_ANSWER_MS, `request ${i} answered in ${answer.ms} ms`);
  assert.ok(
    answer.status === 200 || (answer.status === 503 && answer.retryAfter !== undefined),
    `request ${i}: ${answer.status}`,
  );
}

function get(path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${service.url}${path}`, { agent: false });
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * /health/live every 50 ms and /health/ready every 250 ms, and the service's RSS, until
 * stopped: the longest a liveness probe waited, every readiness answer that was not 200, the
 * highest RSS.
 */
function watchService(): () => Promise<{
  longestLiveMs: number;
  notReady: number[];
  peakRssMiB: number;
}> {
  let stopped = false;
  let longestLiveMs = 0;
  let peakRssMiB = 0;
  const notReady: number[] = [];
  const pid = service.child.pid ?? 0;
  const live = (async () => {
    while (!stopped) {
      const started = performance.now();
      assert.equal(await get('/health/live'), 200);
      longestLiveMs = Math.max(longestLiveMs, performance.now() - started);
      peakRssMiB = Math.max(peakRssMiB, rssMiB(pid));
      await sleep(50);
    }
  })();
  const ready = (async () => {
    while (!stopped) {
      const status = await get('/health/ready');
      if (status !== 200) notReady.push(status);
      await sleep(250);
    }
  })();
  return async () => {
    stopped = true;
    await Promise.all([live, ready]);
    return { longestLiveMs, notReady, peakRssMiB };
  };
}

describe('webhook bodies at the size limit, full of long numbers', () => {
  it('makes room for what a compressed body may become before decoding it (24 gzip bombs at once)', async (t) => {
    // 24 bodies of about 16 MiB each once decoded, 40 KB each as sent: what is decoded at once
    // is what INGEST_MAX_BODIES_BYTES bounds, not what arrived. No rule permits the name: each is
    // decoded and parsed, and nothing reaches the topic the next test reads.
    const numbers = Array.from({ length: (16 * MiB - 64 * 1024) / 17 }, () => '9100000000000001');
    const bomb = gzipSync(`{"name":"audit/bomb","content":{"numbers":[${numbers.join(',')}]}}`);
    const baseline = rssMiB(service.child.pid ?? 0);
    const stop = watchService();
    const answers = await Promise.all(
      Array.from({ length: 24 }, () => post(bomb, { 'content-encoding': 'gzip' })),
    );
    const watched = await stop();
    const growth = watched.peakRssMiB - baseline;
    const taken = answers.filter(({ status }) => status === 200).length;
    const measured =
      `${(bomb.length / 1024).toFixed(0)} KB each as sent: ${taken} × 200, ${answers.length - taken} × 503; ` +
      `RSS +${growth.toFixed(0)} MiB; longest liveness wait ${watched.longestLiveMs.toFixed(0)} ms`;
    t.diagnostic(measured);
    reportBound({
      attack: '24 gzip bodies at once, each 16 MiB of sixteen-digit numbers once decoded',
      bound: `RSS growth under ${MAX_RSS_GROWTH_MIB} MiB; each answer 200 or 503 + Retry-After within ${MAX_ANSWER_MS / 1000} s`,
      measured,
    });
    answers.forEach(assertAnsweredInTime);
    assert.ok(taken >= 1, 'some are taken');
    assert.ok(
      answers.every(({ status }) => status !== 413),
      'each decodes within INGEST_MAX_BODY_BYTES',
    );
    assert.ok(growth < MAX_RSS_GROWTH_MIB, `RSS grew ${growth.toFixed(0)} MiB`);
  });
  it('keeps the probes answered, readiness up, memory bounded and every answer in time', async (t) => {
    const posted: { id: string; content: string }[] = [];
    const baseline = rssMiB(service.child.pid ?? 0);
    const alone = numbersEvent(16 * MiB - 64 * 1024);
    const stopAlone = watchService();
    const first = await post(alone.body);
    const aloneWatch = await stopAlone();
    posted.push(alone);

    const bodies = [
      ...Array.from({ length: 4 }, () => numbersEvent(16 * MiB - 64 * 1024)),
      ...Array.from({ length: 4 }, () => flowEvent(33_000)),
    ];
    const stop = watchService();
    const answers = await Promise.all(bodies.map(({ body }) => post(body)));
    const watched = await stop();
    const longestLiveMs = Math.max(aloneWatch.longestLiveMs, watched.longestLiveMs);
    const growth = Math.max(aloneWatch.peakRssMiB, watched.peakRssMiB) - baseline;
    const taken = answers.filter(({ status }) => status === 200).length;
    const measured =
      `alone: ${first.status} in ${(first.ms / 1000).toFixed(1)} s; eight at once: ${taken} × 200, ` +
      `${answers.length - taken} × 503, slowest answer ${(Math.max(...answers.map(({ ms }) => ms)) / 1000).toFixed(1)} s; ` +
      `longest liveness wait ${longestLiveMs.toFixed(0)} ms; RSS +${growth.toFixed(0)} MiB`;
    t.diagnostic(measured);
    reportBound({
      attack:
        'one 16 MiB body of sixteen-digit numbers, then 4 of them and 4 15.8 MB flow events at once',
      bound: `liveness answered within ${MAX_LIVENESS_STALL_MS} ms, readiness kept, each answer within ${MAX_ANSWER_MS / 1000} s (200 or 503 + Retry-After), RSS growth under ${MAX_RSS_GROWTH_MIB} MiB`,
      measured,
    });
    answers.forEach((answer, i) => {
      assertAnsweredInTime(answer, i);
      if (answer.status === 200) posted.push(bodies[i]);
    });
    assert.ok(
      longestLiveMs < MAX_LIVENESS_STALL_MS,
      `a liveness probe waited ${longestLiveMs.toFixed(0)} ms`,
    );
    assert.deepEqual([...aloneWatch.notReady, ...watched.notReady], [], 'readiness never flips');
    assert.doesNotMatch(service.output(), /Kafka is not reachable/);
    assert.ok(growth < MAX_RSS_GROWTH_MIB, `RSS grew ${growth.toFixed(0)} MiB`);
    assert.equal(first.status, 200, 'one body alone is taken');
    assert.ok(taken >= 1, 'some of the eight are taken');

    const records = await readTopic(broker.brokers, TOPIC, posted.length, 120_000);
    assert.equal(records.length, posted.length);
    for (const { id, content } of posted) {
      const record = records.find((candidate) => candidate.headers['kytos-event-id'] === id);
      assert.ok(record, `${id} is in the topic`);
      const start = record.value.indexOf('"message":') + '"message":'.length;
      assert.equal(
        record.value.slice(start, start + content.length),
        content,
        `${id}: every number digit for digit`,
      );
    }
  });
});
