import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** Creates a bench's topics on its local broker (auto-creation is off) and waits for leaders. */
export async function createTopics(
  brokers: string,
  topics: string[],
  numPartitions: number,
): Promise<void> {
  const admin = new Kafka({
    brokers: [brokers],
    clientId: 'bench-admin',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}
