import { Injectable, Logger } from '@nestjs/common';
import { TopicAdmin } from './topic-admin.js';

/** How long a topic's max.message.bytes is believed before it is read again. */
const KNOWN_FOR_MS = 60_000;
/** How long a failed read is remembered: meanwhile the topic's limit counts as unknown. */
const UNKNOWN_FOR_MS = 5_000;

interface Entry {
  limit?: number;
  until: number;
  reading?: Promise<number | undefined>;
}

/**
 * The max.message.bytes of each topic the service writes, read from the broker (the topic's own
 * setting, or the broker's default) and cached: Kafka checks every record batch against it, after
 * compression.
 */
@Injectable()
export class TopicLimits {
  private readonly logger = new Logger(TopicLimits.name);
  private readonly topics = new Map<string, Entry>();

  constructor(private readonly admin: TopicAdmin) {}

  /** What is known now, without waiting; a stale or missing entry is read again meanwhile. */
  known(topic: string): number | undefined {
    const entry = this.topics.get(topic);
    if (!entry || entry.until <= Date.now()) void this.of(topic);
    return entry?.limit;
  }

  /** Kafka refused a record as too large for `topic`: its limit is read again before the next. */
  forget(topic: string): void {
    this.topics.delete(topic);
  }

  /** The topic's limit; undefined when Kafka cannot tell (it decides on the send then). */
  of(topic: string): Promise<number | undefined> {
    const entry = this.topics.get(topic);
    if (entry?.reading) return entry.reading;
    if (entry && entry.until > Date.now()) return Promise.resolve(entry.limit);
    const reading = this.admin.maxMessageBytes(topic).then(
      (limit) => {
        this.topics.set(topic, { limit, until: Date.now() + KNOWN_FOR_MS });
        return limit;
      },
      (error: unknown) => {
        this.logger.warn(`max.message.bytes of ${topic} unknown: ${(error as Error).message}`);
        this.topics.set(topic, { limit: entry?.limit, until: Date.now() + UNKNOWN_FOR_MS });
        return entry?.limit;
      },
    );
    this.topics.set(topic, { ...(entry ?? { until: 0 }), reading });
    return reading;
  }
}
