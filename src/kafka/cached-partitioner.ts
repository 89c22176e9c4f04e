import kafkajs, { type ICustomPartitioner, type PartitionerArgs } from 'kafkajs';
import { partitionOfKey } from './murmur2.js';

const { Partitioners } = kafkajs;

/** Keys remembered per topic; past it the memory starts over (per-entity keys can be many). */
const MAX_KEYS = 10_000;

/** The partition each message was last placed on, for `partitionChosenFor`. */
const chosen = new WeakMap<object, number>();

/**
 * The partition the producer placed `message` on in its last attempt: Kafka's answer to a failed
 * request names partitions, and this tells which of them held the message.
 */
export function partitionChosenFor(message: object): number | undefined {
  return chosen.get(message);
}

/**
 * The Java client's choice for a keyed record (murmur2 of the key's bytes over all partitions,
 * so every producer agrees where a key goes), computed in time linear in the key and remembered
 * per key: the same few event names come again and again. A topic's memory starts over when its
 * partition count changes, as the answer then does. Records without a key, or with a partition,
 * are left to kafkajs' DefaultPartitioner.
 */
export const CachedPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  const topics = new Map<string, { partitions: number; keys: Map<string, number> }>();
  const choose = (args: PartitionerArgs): number => {
    const { topic, partitionMetadata, message } = args;
    if (message.partition != null || message.key == null) return fallback(args);
    if (typeof message.key !== 'string')
      return partitionOfKey(message.key, partitionMetadata.length);
    let memory = topics.get(topic);
    if (memory?.partitions !== partitionMetadata.length) {
      memory = { partitions: partitionMetadata.length, keys: new Map() };
      topics.set(topic, memory);
    }
    let partition = memory.keys.get(message.key);
    if (partition === undefined) {
      partition = partitionOfKey(message.key, partitionMetadata.length);
      if (memory.keys.size >= MAX_KEYS) memory.keys.clear();
      memory.keys.set(message.key, partition);
    }
    return partition;
  };
  return (args: PartitionerArgs): number => {
    const partition = choose(args);
    chosen.set(args.message, partition);
    return partition;
  };
};
