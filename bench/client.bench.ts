import { ClientKafka } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import kafkajs from 'kafkajs';
import type { Message } from 'kafkajs';
import { loadAppConfig } from '../src/app.settings.js';
import { kafkaClientOptions } from '../src/kafka/kafka-client-options.js';
import { kafkaSendOptions } from '../src/kafka/kafka-send-options.js';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { sampleEvents } from '../test/support/sample-events.js';
import { createTopics } from './bench-topics.js';
import { percentile } from '../test/support/percentile.js';

const { Kafka, Partitioners, logLevel } = kafkajs;
const ROUNDS = 4;
const ROUND_SECONDS = Number(process.env.BENCH_CLIENT_SECONDS ?? 3);
const BATCH = 100;

export interface ClientRow {
  path: string;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** One produce request at a time, as the publisher's lane sends them; latencies per request. */
async function drive(send: (messages: Message[]) => Promise<unknown>, seconds: number) {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let sent = 0;
  while (performance.now() < until) {
    const messages = Array.from({ length: BATCH }, (_, i) => {
      const event = sampleEvents[(sent + i) % sampleEvents.length];
      const value = JSON.stringify({ event: event?.name, message: event?.content });
      return { key: event?.name ?? '', value: Buffer.from(value) };
    });
    const started = performance.now();
    await send(messages);
    latencies.push(performance.now() - started);
    sent += BATCH;
  }
  return { sent, latencies };
}

/**
 * Does Nest's ClientKafka cost the producer anything? The same producer options (the service's
 * own kafkaClientOptions and kafkaSendOptions) through ClientKafka.emitBatch, through
 * ClientKafka's producer directly, and through a bare kafkajs producer, alternated in rounds on
 * one broker so that the machine's noise falls on all alike.
 */
export async function benchClient(): Promise<ClientRow[]> {
  const broker = await KafkaBroker.start();
  const config = loadAppConfig({
    AUTH_DISABLED: 'true',
    KAFKA_BROKERS: broker.brokers,
    KAFKA_COMPRESSION: 'gzip',
  });
  const options = kafkaClientOptions(config.kafka, config.logging).options ?? {};
  const send = await kafkaSendOptions(config.kafka);
  // emitBatch takes its send options from the client's; the other two pass them on each send.
  const nest = new ClientKafka({ ...options, send });
  const raw = new Kafka({
    ...options.client,
    brokers: [broker.brokers],
    logLevel: logLevel.NOTHING,
  }).producer({ ...options.producer, createPartitioner: Partitioners.DefaultPartitioner });
  const topic = `bench_client_${randomUUID().slice(0, 8)}`;
  try {
    await createTopics(broker.brokers, [topic], 1);
    await nest.connect();
    await raw.connect();
    const sendEmit = (messages: Message[]) =>
      lastValueFrom(nest.emitBatch(topic, { messages: messages as never[] }));
    const sendNest = (messages: Message[]) => nest.producer.send({ topic, messages, ...send });
    const sendRaw = (messages: Message[]) => raw.send({ topic, messages, ...send });
    await drive(sendEmit, 1);
    await drive(sendRaw, 1);
    const totals = {
      emit: { sent: 0, latencies: [] as number[], seconds: 0 },
      nest: { sent: 0, latencies: [] as number[], seconds: 0 },
      raw: { sent: 0, latencies: [] as number[], seconds: 0 },
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, sender] of [
        ['emit', sendEmit],
        ['nest', sendNest],
        ['raw', sendRaw],
      ] as const) {
        const started = performance.now();
        const { sent, latencies } = await drive(sender, ROUND_SECONDS);
        totals[name].seconds += (performance.now() - started) / 1000;
        totals[name].sent += sent;
        totals[name].latencies.push(...latencies);
      }
    }
    return (
      [
        ['kafkajs producer, bare', totals.raw],
        ['ClientKafka.emitBatch', totals.emit],
        ["ClientKafka's producer, sent to directly (the service's path)", totals.nest],
      ] as const
    ).map(([path, { sent, latencies, seconds }]) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        path,
        eventsPerSecond: sent / seconds,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
      };
    });
  } finally {
    await nest.close();
    await raw.disconnect();
    await broker.stop();
  }
}
