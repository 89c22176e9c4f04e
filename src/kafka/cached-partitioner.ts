import kafkajs, { type ICustomPartitioner, type PartitionerArgs } from 'kafkajs';

const { Partitioners } = kafkajs;

/** Keys remembered per topic; past it the memory starts over (per-entity keys can be many). */
const MAX_KEYS = 10_000;

/**
 * kafkajs' DefaultPartitioner (the Java client's murmur2 choice, so every producer agrees where a
 * key goes), remembered per key: the same few event names come again and again, and the default
 * hashes each message's key and filters the partition list for every message. A topic's memory
 * starts over when its partition count changes, as the hash's answer then does.
 */
export const CachedPartitioner: ICustomPartitioner = () => {
  const partitionOf = Partitioners.DefaultPartitioner();
  const topics = new Map<string, { partitions: number; keys: Map<string, number> }>();
  return (args: PartitionerArgs): number => {
    const { topic, partitionMetadata, message } = args;
    if (typeof message.key !== 'string' || message.partition != null) return partitionOf(args);
    let memory = topics.get(topic);
    if (memory?.partitions !== partitionMetadata.length) {
      memory = { partitions: partitionMetadata.length, keys: new Map() };
      topics.set(topic, memory);
    }
    let partition = memory.keys.get(message.key);
    if (partition === undefined) {
      partition = partitionOf(args);
      if (memory.keys.size >= MAX_KEYS) memory.keys.clear();
      memory.keys.set(message.key, partition);
    }
    return partition;
  };
};
