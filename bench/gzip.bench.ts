import kafkajs from 'kafkajs';
import { useCompression } from '../src/kafka/kafka-compression.js';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { sampleEvents } from '../test/support/sample-events.js';
import { createTopics } from './bench-topics.js';

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
  const producer = new Kafka({
    brokers: [broker.brokers],
    clientId: 'bench-gzip',
    logLevel: logLevel.NOTHING,
  }).producer({ idempotent: true, maxInFlightRequests: 1 });
  const rows: GzipRow[] = [];
  try {
    await createTopics(broker.brokers, [TOPIC], 1);
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
      const runs = codecs.map(([name, codec]) => ({
        codec,
        row: { events, codec: name, latencyUs: 0, cpuUs: 0 },
      }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const { codec, row } of runs) {
          (CompressionCodecs as Record<number, unknown>)[CompressionTypes.GZIP] = codec;
          for (let i = 0; i < 50; i++) await send();
          const cpu = process.cpuUsage();
          const started = performance.now();
          for (let i = 0; i < SENDS; i++) await send();
          const used = process.cpuUsage(cpu);
          row.latencyUs += ((performance.now() - started) * 1000) / SENDS / ROUNDS;
          row.cpuUs += (used.user + used.system) / SENDS / ROUNDS;
        }
      }
      rows.push(...runs.map(({ row }) => row));
    }
  } finally {
    (CompressionCodecs as Record<number, unknown>)[CompressionTypes.GZIP] = ours;
    await producer.disconnect();
    await broker.stop();
  }
  return rows;
}
