import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export interface ReadRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
}

/**
 * An independent look at a topic: a plain kafkajs consumer, sharing no code with the service.
 * Reads from the beginning until `count` records arrived or `timeoutMs` passed.
 */
export async function readTopic(
  brokers: string,
  topic: string,
  count: number,
  timeoutMs = 15_000,
): Promise<ReadRecord[]> {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: 'test-reader',
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `test-reader-${process.pid}-${Date.now()}-${Math.random()}`,
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: ({ message, partition }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            headers[name] = String(value);
          }
          records.push({
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? '',
            headers,
            partition,
          });
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** How many records the topic holds (sum of its partitions' end offsets), 0 if it does not exist. */
export async function countRecords(brokers: string, topic: string): Promise<number> {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: 'test-counter',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}
