import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { kafkaTool } from '../test/support/kafka-tools.js';
import { metricSample } from '../test/support/metric-sample.js';
import { rssMiB } from '../test/support/process-usage.js';
import { sampleEvents } from '../test/support/sample-events.js';
import { spawnService, ServiceProcess } from '../test/support/service-process.js';
import { EVENTS_PATH } from '../test/support/service.js';
import { createTopics } from './bench-topics.js';
import { pacedLoad, PacedResult } from './paced-load.js';
import { useCompression } from '../src/kafka/kafka-compression.js';

const { Kafka, CompressionTypes, Partitioners, logLevel } = kafkajs;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** About half of the webhook's peak here: the rate of the generator's own latency floor. */
const FLOOR_RATE = 1500;
/** Seconds at the pace before a paced row counts (pacedLoad says why). */
const PACED_WARMUP_SECONDS = 2;
const DRAIN_TIMEOUT_MS = 180_000;

/** Realistic Kytos events of about 1 KB (link, interface, EVC shapes); the service gives ids. */
const events = sampleEvents
  .filter((event) => event.name.startsWith('kytos/') && JSON.stringify(event).length > 500)
  .map(({ name, content }) => ({ name, content }));

export interface Row {
  path: string;
  eventsPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  peakRssMiB?: number;
  errors?: number;
}

/** kafkajs alone, as this service configures it (acks all, idempotent, gzip), batches of 1,000. */
async function rawKafkajs(brokers: string, topic: string, total: number): Promise<Row> {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: 'bench-raw',
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const record = (i: number) => {
    const event = events[i % events.length];
    const id = randomUUID();
    return {
      key: event?.name ?? '',
      value: JSON.stringify({
        event: event?.name,
        message: event?.content,
        id,
        timestamp: new Date().toISOString(),
      }),
      headers: {
        'kytos-event-name': event?.name ?? '',
        'kytos-event-id': id,
        'content-type': 'application/json',
      },
    };
  };
  await producer.send({
    topic,
    acks: -1,
    compression: CompressionTypes.GZIP,
    messages: [record(0)],
  });
  const batch = 1000;
  const inFlight = 4;
  const started = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      const from = sent;
      sent += batch;
      const messages = Array.from({ length: batch }, (_, i) => record(from + i));
      await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return {
    path: 'raw kafkajs producer (batches of 1,000, 4 in flight)',
    eventsPerSecond: sent / seconds,
  };
}

/** Kafka's own Java ProducerPerformance, sending the same JSON records from a payload file. */
async function producerPerformance(brokers: string, topic: string, total: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-payload-'));
  const payloads = join(dir, 'payloads.txt');
  writeFileSync(
    payloads,
    events
      .map((event) =>
        JSON.stringify({
          event: event.name,
          message: event.content,
          id: randomUUID(),
          timestamp: new Date().toISOString(),
        }),
      )
      .join('\n'),
  );
  try {
    const stdout = await kafkaTool(
      'org.apache.kafka.tools.ProducerPerformance',
      [
        '--topic',
        topic,
        '--num-records',
        String(total),
        '--throughput',
        '-1',
        '--payload-file',
        payloads,
        '--producer-props',
        `bootstrap.servers=${brokers}`,
        'acks=all',
        'compression.type=gzip',
        'enable.idempotence=true',
        'linger.ms=5',
      ],
      180_000,
    );
    const summary = stdout.trim().split('\n').at(-1) ?? '';
    const perSecond = Number(/([\d.]+) records\/sec/.exec(summary)?.[1] ?? NaN);
    const p50 = Number(/([\d.]+) ms 50th/.exec(summary)?.[1] ?? NaN);
    const p99 = Number(/([\d.]+) ms 99th/.exec(summary)?.[1] ?? NaN);
    return {
      path: "Kafka's ProducerPerformance (Java, same records)",
      eventsPerSecond: perSecond,
      p50Ms: p50,
      p99Ms: p99,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The load generator's own ceiling on this machine: a bare node:http server that parses the JSON
 * and answers 202, no framework, no Kafka. It shares the two cores with the generator as the
 * service does.
 */
async function bareHttpCeiling(): Promise<Row[]> {
  const server = spawn(process.execPath, [
    '-e',
    `require('http').createServer((q, s) => { const b = []; q.on('data', (c) => b.push(c)); ` +
      `q.on('end', () => { JSON.parse(Buffer.concat(b)); s.writeHead(202, { 'content-type': 'application/json' }); ` +
      `s.end('{}'); }); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
  ]);
  const [port] = (await once(server.stdout, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${port.toString().trim()}`;
  try {
    const result = await load({ url }, { connections: 64, perRequest: 1, seconds: SECONDS });
    const paced = await pacedLoad({
      url,
      body: bodyOf(1),
      rate: FLOOR_RATE,
      seconds: SECONDS,
      warmupSeconds: PACED_WARMUP_SECONDS,
      connections: 64,
    });
    return [
      rowOf(
        'bare node:http server, no framework, no Kafka (harness ceiling), 64 connections',
        result,
        1,
        NaN,
      ),
      pacedRow(`bare node:http server, paced (${FLOOR_RATE} req/s): the generator's own latency`, {
        result: paced,
        peakMiB: NaN,
      }),
    ];
  } finally {
    server.kill();
  }
}

/** A paced row's latencies count from when each request was due (pacedLoad). */
function pacedRow(
  path: string,
  { result, peakMiB }: { result: PacedResult; peakMiB: number },
): Row {
  return {
    path,
    eventsPerSecond: result.perSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    peakRssMiB: peakMiB,
    errors: result.errors,
  };
}

/**
 * The framework's ceiling: Nest on Fastify with one controller answering {} (nest-ceiling.ts).
 * What the webhook can reach at best without leaving Nest's request pipeline.
 */
async function nestCeiling(): Promise<Row> {
  const server = spawn(process.execPath, [join(import.meta.dirname, 'nest-ceiling.js')]);
  const [port] = (await once(server.stdout, 'data')) as [Buffer];
  try {
    await load(
      { url: `http://127.0.0.1:${port.toString().trim()}` },
      { connections: 8, perRequest: 1, seconds: 2 },
    );
    const result = await load(
      { url: `http://127.0.0.1:${port.toString().trim()}` },
      { connections: 64, perRequest: 1, seconds: SECONDS },
    );
    return rowOf(
      'Nest + Fastify, a controller answering {}, no Kafka (framework ceiling), 64 connections',
      result,
      1,
      NaN,
    );
  } finally {
    server.kill();
  }
}

/** Peak resident memory of a process, sampled every 100 ms while `work` runs. */
async function withPeakRss<T>(
  pid: number,
  work: Promise<T>,
): Promise<{ result: T; peakMiB: number; samples: number[] }> {
  const samples: number[] = [];
  const sample = () => samples.push(rssMiB(pid));
  sample();
  const timer = setInterval(sample, 100);
  try {
    const result = await work;
    return { result, peakMiB: Math.max(...samples), samples };
  } finally {
    clearInterval(timer);
  }
}

/** A webhook body: one event alone, or an array of `perRequest` events. */
function bodyOf(perRequest: number): string {
  return JSON.stringify(
    perRequest === 1
      ? events[0]
      : Array.from({ length: perRequest }, (_, i) => events[i % events.length]),
  );
}

/**
 * Seconds until every permitted event is in Kafka (`url`: where the metrics answer). In spool mode the batch row leaves a backlog
 * on disk, which the forwarder sends for seconds: a paced row started at once
 * measured the webhook beside that, not the webhook at half of peak.
 */
export async function waitUntilForwarded(url: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const permitted = metricSample(text, 'kafka_events_permitted_total');
    const published = metricSample(text, 'kafka_events_published_total');
    if (permitted === undefined || published === undefined) {
      throw new Error(`${url}/metrics has no permitted or published total`);
    }
    if (published >= permitted) return Math.round((Date.now() - started) / 100) / 10;
    if (Date.now() - started > DRAIN_TIMEOUT_MS) {
      throw new Error(
        `${permitted - published} events still not in Kafka after ${DRAIN_TIMEOUT_MS / 1000} s`,
      );
    }
    await sleep(200);
  }
}

export async function load(
  service: Pick<ServiceProcess, 'url'>,
  options: { connections: number; perRequest: number; seconds: number; rate?: number },
): Promise<autocannon.Result> {
  const body = bodyOf(options.perRequest);
  return autocannon({
    url: service.url + EVENTS_PATH,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: options.connections,
    duration: options.seconds,
    overallRate: options.rate,
  });
}

function rowOf(path: string, result: autocannon.Result, perRequest: number, peakMiB: number): Row {
  const ok = result['2xx'];
  return {
    path,
    eventsPerSecond: (ok * perRequest) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    peakRssMiB: peakMiB,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

export interface DeliveryBenchResult {
  rows: Row[];
  ceiling: number;
}

export async function benchDelivery(): Promise<DeliveryBenchResult> {
  const broker = await KafkaBroker.start();
  const rows: Row[] = [];
  try {
    // The same topic shape the service creates (3 partitions), for the raw producers.
    await createTopics(broker.brokers, ['bench_raw', 'bench_java'], 3);
    // The raw producer compresses with the service's gzip codec, as the service does.
    await useCompression('gzip');
    const raw = await rawKafkajs(broker.brokers, 'bench_raw', 100_000);
    rows.push(raw);
    rows.push(await producerPerformance(broker.brokers, 'bench_java', 200_000));
    rows.push(...(await bareHttpCeiling()));
    rows.push(await nestCeiling());

    for (const mode of ['kafka', 'spool'] as const) {
      const spoolDir = mkdtempSync(join(tmpdir(), 'bench-spool-'));
      const service = await spawnService({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: `bench_${mode}`,
        DELIVERY_MODE: mode,
        SPOOL_DIR: spoolDir,
        LOG_LEVEL: 'log',
        // The load generator is one client: above the default per-client rate, the rows measured
        // the limiter's 429s instead of the delivery path.
        RATE_LIMIT_PER_SECOND: '0',
      });
      const pid = service.child.pid ?? 0;
      try {
        await load(service, { connections: 8, perRequest: 1, seconds: 2 });
        let peakSingle = 0;
        for (const connections of [1, 16, 64]) {
          const { result, peakMiB } = await withPeakRss(
            pid,
            load(service, { connections, perRequest: 1, seconds: SECONDS }),
          );
          const row = rowOf(
            `webhook, ${mode} mode, 1 event/request, ${connections} connections`,
            result,
            1,
            peakMiB,
          );
          rows.push(row);
          if (connections === 64) peakSingle = result.requests.average;
        }
        const { result, peakMiB } = await withPeakRss(
          pid,
          load(service, { connections: 16, perRequest: 100, seconds: SECONDS }),
        );
        rows.push(
          rowOf(`webhook, ${mode} mode, 100 events/request, 16 connections`, result, 100, peakMiB),
        );

        const drainSeconds = await waitUntilForwarded(service.url);
        console.log(
          `${mode} mode: the batch row's events were all in Kafka after ${drainSeconds} s`,
        );
        const rate = Math.max(1, Math.round(peakSingle / 2));
        const half = await withPeakRss(
          pid,
          pacedLoad({
            url: service.url + EVENTS_PATH,
            body: bodyOf(1),
            rate,
            seconds: SECONDS,
            warmupSeconds: PACED_WARMUP_SECONDS,
            connections: 64,
          }),
        );
        rows.push(
          pacedRow(
            `webhook, ${mode} mode, 1 event/request at half of peak, paced (${rate} req/s)`,
            half,
          ),
        );
      } finally {
        service.child.kill('SIGTERM');
        await new Promise((resolve) => service.child.once('exit', resolve));
        rmSync(spoolDir, { recursive: true, force: true });
      }
    }
    rows.push(...(await checkedRows(broker.brokers)));
    return { rows, ceiling: raw.eventsPerSecond };
  } finally {
    await broker.stop();
  }
}

/**
 * Kafka mode with EVENT_SCHEMA_VALIDATION=enforce: the same sample events (every one of a known
 * family, each checked against its content schema), beside the kafka mode rows above.
 */
async function checkedRows(brokers: string): Promise<Row[]> {
  const service = await spawnService({
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC: 'bench_enforce',
    EVENT_SCHEMA_VALIDATION: 'enforce',
    LOG_LEVEL: 'log',
    RATE_LIMIT_PER_SECOND: '0',
  });
  const pid = service.child.pid ?? 0;
  const rows: Row[] = [];
  try {
    await load(service, { connections: 8, perRequest: 1, seconds: 2 });
    for (const [connections, perRequest] of [
      [64, 1],
      [16, 100],
    ] as const) {
      const { result, peakMiB } = await withPeakRss(
        pid,
        load(service, { connections, perRequest, seconds: SECONDS }),
      );
      rows.push(
        rowOf(
          `webhook, kafka mode, EVENT_SCHEMA_VALIDATION=enforce, ${perRequest === 1 ? '1 event/request' : `${perRequest} events/request`}, ${connections} connections`,
          result,
          perRequest,
          peakMiB,
        ),
      );
    }
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }
  return rows;
}
