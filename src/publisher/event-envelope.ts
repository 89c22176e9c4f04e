import { randomUUID } from 'node:crypto';
import type { RecordKey } from '../config/app-config.js';
import { stringifyExact } from '../http/exact-json.js';

/** What a record is made of; an event without id or timestamp gets them here. */
export interface EventFields {
  name: string;
  content: Record<string, unknown>;
  id?: string;
  timestamp?: string;
}

/** What kafkajs sends for one record. */
export interface KafkaMessage {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

export class UnserializableEventError extends Error {}

/** An event's fields once it has an id and a timestamp: what a record key may be read from. */
export interface StampedEvent {
  id: string;
  name: string;
  timestamp: string;
  content: unknown;
}

/** Where a permitted event's record goes, when a rule says more than the configuration. */
export interface EnvelopeRoute {
  /** The record's topic; undefined: the service's topic (KAFKA_TOPIC). */
  topic?: string;
  /** The record key from the stamped event; undefined: the key KAFKA_RECORD_KEY gives. */
  keyOf?: (event: StampedEvent) => string;
}

/**
 * One permitted event in the record format of version 1 (see DESIGN.md): serialized once, here,
 * and sent as is however often the send is retried.
 */
export class EventEnvelope {
  private constructor(
    readonly id: string,
    readonly name: string,
    readonly key: string | null,
    readonly value: Buffer,
    /** null: the service's topic (KAFKA_TOPIC). */
    readonly topic: string | null,
    /** Headers beyond the record format's own (a dead letter's reason). */
    private readonly extraHeaders: Readonly<Record<string, string>> = {},
  ) {}

  /**
   * `{"event", "message"}` is what the Python NApp sent; `id` and `timestamp` are added. With
   * `exactNumbers`, the content may hold LosslessNumbers (parsed exactly), written back digit for digit.
   */
  static fromEvent(
    event: EventFields,
    recordKey: RecordKey,
    receivedAt: Date,
    exactNumbers = false,
    route: EnvelopeRoute = {},
  ): EventEnvelope {
    const id = event.id ?? randomUUID();
    const timestamp = event.timestamp ?? receivedAt.toISOString();
    let json: string;
    try {
      const record = { event: event.name, message: event.content, id, timestamp };
      json = exactNumbers ? stringifyExact(record) : JSON.stringify(record);
    } catch (error) {
      // JSON.parse accepts nesting deeper than JSON.stringify's stack can walk back.
      throw new UnserializableEventError(
        `content cannot be serialized: ${(error as Error).message}`,
      );
    }
    const value = Buffer.from(json, 'utf8');
    const key = route.keyOf
      ? route.keyOf({ id, name: event.name, timestamp, content: event.content })
      : recordKey === 'name'
        ? event.name
        : recordKey === 'id'
          ? id
          : null;
    return new EventEnvelope(id, event.name, key, value, route.topic ?? null);
  }

  /** Rebuilds an envelope that was serialized before (read back from the spool). */
  static restore(
    id: string,
    name: string,
    key: string | null,
    value: Buffer,
    topic: string | null = null,
  ): EventEnvelope {
    return new EventEnvelope(id, name, key, value, topic);
  }

  /**
   * The same record bound for the dead letter topic, with why it was refused and where it was
   * meant to go (`dlq-reason`, `dlq-original-topic`).
   */
  deadLetter(dlqTopic: string, originalTopic: string, reason: string): EventEnvelope {
    return new EventEnvelope(this.id, this.name, this.key, this.value, dlqTopic, {
      'dlq-reason': reason.slice(0, 1024),
      'dlq-original-topic': this.topic ?? originalTopic,
    });
  }

  /** Bytes Kafka counts against its record size limit, near enough to refuse early. */
  get size(): number {
    return this.value.length + (this.key?.length ?? 0) + this.name.length + this.id.length + 64;
  }

  /** A fresh object each time: nothing one send does to a message can leak into a retry. */
  toMessage(): KafkaMessage {
    return {
      key: this.key,
      value: this.value,
      headers: {
        'kytos-event-name': this.name,
        'kytos-event-id': this.id,
        'content-type': 'application/json',
        ...this.extraHeaders,
      },
    };
  }
}
