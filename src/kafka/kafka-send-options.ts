import type { KafkaSettings } from './kafka.settings.js';
import { useCompression } from './kafka-compression.js';

/** The injection token of KafkaSendOptions. */
export const KAFKA_SEND_OPTIONS = Symbol('KAFKA_SEND_OPTIONS');

/** What every produce request of the events producer carries. */
export interface KafkaSendOptions {
  acks: number;
  compression: number;
  timeout: number;
}

const ACKS = { all: -1, '1': 1, '0': 0 } as const;

/** Registers the chosen codec with kafkajs (once, at start) and returns the send options. */
export async function kafkaSendOptions(kafka: KafkaSettings): Promise<KafkaSendOptions> {
  return {
    acks: ACKS[kafka.acks],
    compression: await useCompression(kafka.compression),
    timeout: kafka.requestTimeoutMs,
  };
}
