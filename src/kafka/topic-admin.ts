import { Inject, Injectable } from '@nestjs/common';
import kafkajs from 'kafkajs';
import type { Admin, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaClients } from './kafka-clients.js';
import { kafkaSettings, type KafkaSettings } from './kafka.settings.js';
import { KafkaFailure } from './kafka-failure.js';
import { largestRecordBatchBytes } from './record-batch-bytes.js';

const { ConfigResourceTypes } = kafkajs;

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** A log-compacted topic (the rules): an existing one with another cleanup.policy is refused. */
  compacted?: boolean;
  /** The topic's max.message.bytes when this creates it; the broker's default otherwise. */
  maxMessageBytes?: number;
}

/** Asking again for a topic's metadata right after creating it: bounded, a few seconds at most. */
const METADATA_ATTEMPTS = 10;
const METADATA_RETRY_MS = 200;

/** The broker created the topic but does not list it (or its leaders) yet. */
function isMetadataLag(error: unknown): boolean {
  return KafkaFailure.hasType(error, 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE');
}

/** A topic exists with settings the service cannot work with: an operator's to fix. */
export class TopicPolicyError extends Error {}

/**
 * The service's one way to look at and create topics. Each call opens and closes its own admin
 * connection: they are rare (start, producer renewal), and a failed one leaves nothing behind.
 */
@Injectable()
export class TopicAdmin {
  private readonly client: Kafka;

  constructor(
    clients: KafkaClients,
    @Inject(kafkaSettings.token) private readonly settings: KafkaSettings,
  ) {
    // Callers retry on their own schedule (a send, the rule store's start loop).
    this.client = clients.create('admin', 0);
  }

  /**
   * A topic events are written to (KAFKA_TOPIC, a rule's, the dead letters'): created with
   * KAFKA_TOPIC_PARTITIONS and KAFKA_TOPIC_REPLICATION_FACTOR, and with a max.message.bytes that
   * takes any record KAFKA_MAX_RECORD_BYTES lets through, even one KAFKA_COMPRESSION grows.
   */
  ensureEventTopic(topic: string): Promise<boolean> {
    const { topicPartitions, topicReplicationFactor, maxRecordBytes, compression } = this.settings;
    return this.ensureTopic({
      topic,
      partitions: topicPartitions,
      replicationFactor: topicReplicationFactor,
      maxMessageBytes: largestRecordBatchBytes(compression, maxRecordBytes),
    });
  }

  /**
   * The smallest socket.request.max.bytes of the brokers: a produce request larger than that is
   * not answered, the broker closes the connection (as for a transient fault).
   */
  requestMaxBytes(): Promise<number> {
    return this.withAdmin(async (admin) => {
      const { brokers } = await admin.describeCluster();
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: brokers.map(({ nodeId }) => ({
          type: ConfigResourceTypes.BROKER,
          name: String(nodeId),
          configNames: ['socket.request.max.bytes'],
        })),
      });
      const values = resources.map((resource) =>
        Number(
          resource.configEntries.find((entry) => entry.configName === 'socket.request.max.bytes')
            ?.configValue,
        ),
      );
      if (
        values.length === 0 ||
        values.some((value) => !Number.isSafeInteger(value) || value <= 0)
      ) {
        throw new Error('the brokers gave no socket.request.max.bytes');
      }
      return Math.min(...values);
    });
  }

  /** The largest record batch the topic takes (its max.message.bytes, or the broker's default). */
  maxMessageBytes(topic: string): Promise<number> {
    return this.withAdmin(async (admin) => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] },
        ],
      });
      const value = Number(
        resources[0]?.configEntries.find((entry) => entry.configName === 'max.message.bytes')
          ?.configValue,
      );
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new Error(`the broker gave no max.message.bytes for ${topic}`);
      }
      return value;
    });
  }

  exists(topic: string): Promise<boolean> {
    return this.withAdmin(async (admin) => (await admin.listTopics()).includes(topic));
  }

  /**
   * Creates the topic unless it exists and waits for its leaders; true when it was created.
   * Throws TopicPolicyError for a `compacted` topic that exists without compaction.
   */
  ensureTopic(spec: TopicSpec): Promise<boolean> {
    return this.withAdmin(async (admin) => {
      if (spec.compacted && (await admin.listTopics()).includes(spec.topic)) {
        await assertCompacted(admin, spec.topic);
      }
      // Right after a creation the broker may not list the topic in its metadata yet, which
      // kafkajs' wait for leaders reports as an error: ask again (it then finds the topic).
      let created = false;
      for (let attempt = 1; ; attempt++) {
        try {
          return (await this.create(admin, spec)) || created;
        } catch (error) {
          if (attempt >= METADATA_ATTEMPTS || !isMetadataLag(error)) throw error;
          created = true;
          await sleep(METADATA_RETRY_MS);
        }
      }
    });
  }

  private create(admin: Admin, spec: TopicSpec): Promise<boolean> {
    return admin.createTopics({
      topics: [
        {
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: [
            ...(spec.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
            ...(spec.maxMessageBytes === undefined
              ? []
              : [{ name: 'max.message.bytes', value: String(spec.maxMessageBytes) }]),
          ],
        },
      ],
      waitForLeaders: true,
    });
  }

  /** The offset after the last record of a one-partition topic; 0 when it holds none. */
  endOffset(topic: string): Promise<number> {
    return this.withAdmin(async (admin) => {
      const [partition] = await admin.fetchTopicOffsets(topic);
      const end = Number(partition?.high ?? 0);
      return Number(partition?.low ?? 0) >= end ? 0 : end;
    });
  }

  private async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.client.admin();
    try {
      // Inside the try: a failed connect must be disconnected too, or its sockets linger.
      await admin.connect();
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

/** A compacted topic whose policy is `delete` would lose what it holds to retention. */
async function assertCompacted(admin: Admin, topic: string): Promise<void> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
  });
  const policy = resources[0]?.configEntries.find(
    (entry) => entry.configName === 'cleanup.policy',
  )?.configValue;
  if (!policy?.split(',').includes('compact')) {
    throw new TopicPolicyError(
      `the topic ${topic} has cleanup.policy=${policy ?? 'unknown'}, not compact: what it holds would ` +
        'expire with retention',
    );
  }
}
