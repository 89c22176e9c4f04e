import kafkajs from 'kafkajs';
import { useCompression } from '../src/kafka/kafka-compression.js';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { sampleEvents } from '../test/support/sample-events.js';

const { Kafka, CompressionCodecs, CompressionTypes, logLevel } = kafkajs;
const ROUNDS = 2;
const SENDS = 400;
const TOPIC = 'bench_gzip';

export interface GzipRow {
  events: number;
  codec: string;
  latencyUs: number;
  cpuUs: number;
}

/**
 * kafkajs' own gzip codec against the service's (small batches gzipped on the event loop), on
 * the same idempotent producer, acks all, one produce request at a time as the lane sends them,
 * rounds alternated: latency and the process's CPU per produce request.
 */
export async function benchGzip(): Promise<GzipRow[]> {
  const broker = await KafkaBroker.start();
  const theirs: unknown = CompressionCodecs[CompressionTypes.GZIP];
  await useCompression('gzip');
  const ours: unknown = CompressionCodecs[CompressionTypes.GZIP];
  const codecs = [
    ['kafkajs', theirs],
    ['this service', ours],
  ] as const;
  const kafka = new Kafka({
    brokers: [broker.brokers],
    clientId: 'bench-gzip',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const totals = new Map<string, { latencyUs: number; cpuUs: number }>();
  try {
    await producer.connect();
    for (const events of [1, 10, 50, 1000]) {
      const messages = Array.from({ length: events }, (_, i) => {
        const event = sampleEvents[i % sampleEvents.length];
        return { key: event?.name ?? '', value: Buffer.from(JSON.stringify(event)) };
      });
      const send = () =>
        producer.send({
          topic: TOPIC,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages,
        });
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, codec] of codecs) {
          (CompressionCodecs as Record<number, unknown>)[CompressionTypes.GZIP] = codec;
          for (let i = 0; i < 50; i++) await send();
          const cpu = process.cpuUsage();
          const started = performance.now();
          for (let i = 0; i < SENDS; i++) await send();
          const used = process.cpuUsage(cpu);
          const key = `${events} ${name}`;
          const total = totals.get(key) ?? { latencyUs: 0, cpuUs: 0 };
          total.latencyUs += ((performance.now() - started) * 1000) / SENDS / ROUNDS;
          total.cpuUs += (used.user + used.system) / SENDS / ROUNDS;
          totals.set(key, total);
        }
      }
    }
  } finally {
    (CompressionCodecs as Record<number, unknown>)[CompressionTypes.GZIP] = ours;
    await producer.disconnect();
    await broker.stop();
  }
  return [...totals].map(([key, total]) => {
    const [events, ...codec] = key.split(' ');
    return { events: Number(events), codec: codec.join(' '), ...total };
  });
}
