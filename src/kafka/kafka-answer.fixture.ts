import { createRequire } from 'node:module';
import kafkajs, { type Message, type PartitionMetadata, type TopicMessages } from 'kafkajs';
import { CachedPartitioner } from './cached-partitioner.js';

const require = createRequire(import.meta.url);
// kafkajs' own parser of a produce answer: it throws for a refused partition as it does when a
// broker answers, so the specs meet the errors the service meets.
const produceResponse = require('kafkajs/src/protocol/requests/produce/v3/response.js') as {
  parse(data: object): Promise<unknown>;
};
const protocolErrors = require('kafkajs/src/protocol/error.js') as {
  errorCodes: { type: string; code: number }[];
  createErrorFromCode(code: number): Error;
};

/** A topic's partitions as the broker describes them: `count` of them, all led by broker 0. */
export function partitionsOf(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
}

/**
 * The broker side of a produce request, for the producer core's specs. Every topic has `count`
 * partitions; each message is placed by the service's own partitioner (which remembers where, as
 * in a real send), and each partition holding messages is answered with `codeOf`'s error code (0:
 * written), or left out of the answer when `codeOf` gives undefined (another broker leads it).
 */
export class KafkaAnswer {
  readonly partitionMetadata: PartitionMetadata[];
  private readonly partitioner = CachedPartitioner();

  constructor(count: number) {
    this.partitionMetadata = partitionsOf(count);
  }

  partitionOf(topic: string, message: Message): number {
    return this.partitioner({ topic, partitionMetadata: this.partitionMetadata, message });
  }

  async answer(
    topicMessages: TopicMessages[],
    codeOf: (topic: string, partition: number, held: Message[]) => number | undefined,
  ): Promise<void> {
    const topics = topicMessages.map(({ topic, messages }) => {
      const partitions = new Map<number, Message[]>();
      for (const message of messages) {
        const partition = this.partitionOf(topic, message);
        partitions.set(partition, [...(partitions.get(partition) ?? []), message]);
      }
      return {
        topicName: topic,
        partitions: [...partitions].flatMap(([partition, held]) => {
          const errorCode = codeOf(topic, partition, held);
          return errorCode === undefined ? [] : [{ partition, errorCode, baseOffset: '0' }];
        }),
      };
    });
    await produceResponse.parse({ topics, throttleTime: 0 });
  }
}

/** What kafkajs throws when the connection is cut before an answer: Kafka may be written or not. */
export function connectionCut(): Error {
  return new kafkajs.KafkaJSConnectionError('connection cut');
}

/** Kafka's error code for error `type` (MESSAGE_TOO_LARGE, …), as kafkajs knows it. */
export function errorCodeOf(type: string): number {
  const known = protocolErrors.errorCodes.find((error) => error.type === type);
  if (known === undefined) throw new Error(`kafkajs knows no error ${type}`);
  return known.code;
}

/** What kafkajs throws when the broker refuses with error `type` (MESSAGE_TOO_LARGE, …). */
export function refusedAs(type: string): Error {
  return protocolErrors.createErrorFromCode(errorCodeOf(type));
}
