import { Injectable, Logger } from '@nestjs/common';
import { PRODUCE_REQUEST_OVERHEAD_BYTES } from './record-batch-bytes.js';
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

/** The cache key of the brokers' socket.request.max.bytes (not a topic name: `.` alone is none). */
const REQUEST_LIMIT = '.';

/**
 * The largest record batch each topic the service writes takes, read from the broker and cached:
 * the topic's max.message.bytes (its own setting, or the broker's default), which Kafka checks
 * every record batch against after compression, and the brokers' socket.request.max.bytes less
 * a produce request's own bytes (a larger request is never answered: the broker closes the
 * connection, a fault the producer takes for a transient one and retries).
 */
@Injectable()
export class TopicLimits {
  private readonly logger = new Logger(TopicLimits.name);
  private readonly topics = new Map<string, Entry>();

  constructor(private readonly admin: TopicAdmin) {}

  /** What is known now, without waiting; a stale or missing entry is read again meanwhile. */
  known(topic: string): number | undefined {
    return smallest(this.cached(topic), this.cached(REQUEST_LIMIT));
  }

  /** Kafka refused a record as too large for `topic`: its limit is read again before the next. */
  forget(topic: string): void {
    this.topics.delete(topic);
  }

  /** The topic's limit; undefined when Kafka cannot tell (it decides on the send then). */
  async of(topic: string): Promise<number | undefined> {
    const [topicLimit, requestLimit] = await Promise.all([
      this.read(topic),
      this.read(REQUEST_LIMIT),
    ]);
    return smallest(topicLimit, requestLimit);
  }

  private cached(key: string): number | undefined {
    const entry = this.topics.get(key);
    if (!entry || entry.until <= Date.now()) void this.read(key);
    return entry?.limit;
  }

  private read(key: string): Promise<number | undefined> {
    const entry = this.topics.get(key);
    if (entry?.reading) return entry.reading;
    if (entry && entry.until > Date.now()) return Promise.resolve(entry.limit);
    const asked =
      key === REQUEST_LIMIT
        ? this.admin.requestMaxBytes().then((bytes) => bytes - PRODUCE_REQUEST_OVERHEAD_BYTES)
        : this.admin.maxMessageBytes(key);
    const reading = asked.then(
      (limit) => {
        this.topics.set(key, { limit, until: Date.now() + KNOWN_FOR_MS });
        return limit;
      },
      (error: unknown) => {
        const what =
          key === REQUEST_LIMIT
            ? "the brokers' socket.request.max.bytes"
            : `max.message.bytes of ${key}`;
        this.logger.warn(`${what} unknown: ${(error as Error).message}`);
        this.topics.set(key, { limit: entry?.limit, until: Date.now() + UNKNOWN_FOR_MS });
        return entry?.limit;
      },
    );
    this.topics.set(key, { ...(entry ?? { until: 0 }), reading });
    return reading;
  }
}

function smallest(...limits: (number | undefined)[]): number | undefined {
  const known = limits.filter((limit) => limit !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}
