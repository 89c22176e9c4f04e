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
  await waitForTopic(kafka, topic, timeoutMs);
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

/** The service creates its topic when it first reaches Kafka: give it a (bounded) moment. */
async function waitForTopic(
  kafka: InstanceType<typeof Kafka>,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await admin.fetchTopicMetadata({ topics: [topic] });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await admin.disconnect();
  }
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
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
    } catch {
      // Listed but not yet served by its leader: nothing readable yet.
      return 0;
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Occurrences of each `kytos-event-id` in the whole topic, read again (bounded by `timeoutMs`)
 * until every expected id is there: a spool's forwarder may still be catching up.
 */
export async function idCounts(
  brokers: string,
  topic: string,
  expected: readonly string[],
  timeoutMs = 60_000,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await readTopic(brokers, topic, await countRecords(brokers, topic));
    const counts = new Map<string, number>();
    for (const record of records) {
      const id = record.headers['kytos-event-id'] ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    if (expected.every((id) => counts.has(id)) || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Acknowledged ids missing from the topic, and how many extra copies it holds of the ones present. */
export function lossAndDuplicates(
  acknowledged: readonly string[],
  counts: Map<string, number>,
): { lost: string[]; duplicates: number } {
  const lost = acknowledged.filter((id) => !counts.has(id));
  const duplicates = acknowledged.reduce(
    (sum, id) => sum + Math.max(0, (counts.get(id) ?? 0) - 1),
    0,
  );
  return { lost, duplicates };
}
