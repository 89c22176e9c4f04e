import type { ClientKafka } from '@nestjs/microservices';
import { partitionChosenFor } from './cached-partitioner.js';
import type { KafkaSendOptions } from './kafka-send-options.js';
import type { KafkaMessage, OutgoingRecord } from './outgoing-record.js';
import { partitionAnswersOf } from './partition-answers.js';

/**
 * A failed produce request of which Kafka wrote some partitions (it writes each partition's
 * records whole or not at all): `written` are in the topic, the others are not, for `cause`.
 */
export class PartlyWrittenError extends Error {
  constructor(
    readonly written: ReadonlySet<OutgoingRecord>,
    override readonly cause: unknown,
  ) {
    super(`${written.size} record(s) written, the others not: ${String(cause)}`);
    this.name = 'PartlyWrittenError';
  }
}

/**
 * The last stage: one produce request holding exactly `records`. Throws what Kafka answered
 * otherwise, as a PartlyWrittenError when its answer tells which records it wrote all the same.
 */
export type ProduceRequest = (records: readonly OutgoingRecord[]) => Promise<void>;

/** A record as one produce request carried it. */
interface SentRecord {
  record: OutgoingRecord;
  message: KafkaMessage;
}

/** One produce request through `producer`, every topic of `records` in it (a ProduceRequest). */
export async function sendProduceRequest(
  producer: Pick<ClientKafka['producer'], 'sendBatch'>,
  records: readonly OutgoingRecord[],
  options: KafkaSendOptions,
): Promise<void> {
  const byTopic = new Map<string, KafkaMessage[]>();
  const sent: SentRecord[] = [];
  for (const record of records) {
    let messages = byTopic.get(record.topic);
    if (!messages) byTopic.set(record.topic, (messages = []));
    const message = record.toMessage();
    messages.push(message);
    sent.push({ record, message });
  }
  try {
    // Straight to ClientKafka's producer: emitBatch would serialize every (already encoded)
    // message again behind a promise each (docs/architecture.md, Kafka clients).
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      ...options,
    });
  } catch (error) {
    const written = recordsWritten(error, sent);
    throw written.size > 0 ? new PartlyWrittenError(written, error) : error;
  }
}

/**
 * The records of a failed request that Kafka wrote all the same: those of the partitions its
 * answer acknowledged. A partition it did not answer for (a lost answer; another broker's, as
 * kafkajs reports only the failing broker's answer) counts as not written: its records are sent
 * again.
 */
function recordsWritten(error: unknown, sent: readonly SentRecord[]): Set<OutgoingRecord> {
  const written = new Set<OutgoingRecord>();
  const answers = partitionAnswersOf(error);
  if (answers === undefined) return written;
  const acknowledged = new Set(
    answers
      .filter(({ errorCode }) => errorCode === 0)
      .map(({ topic, partition }) => `${partition}@${topic}`),
  );
  for (const { record, message } of sent) {
    const partition = partitionChosenFor(message);
    if (partition !== undefined && acknowledged.has(`${partition}@${record.topic}`)) {
      written.add(record);
    }
  }
  return written;
}
