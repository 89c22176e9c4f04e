import { randomUUID } from 'node:crypto';
import type { RecordKey } from './publisher.settings.js';
import { stringifyExact } from '../json/index.js';
import type { KafkaMessage, OutgoingRecord } from '../kafka/index.js';

/**
 * The headers a record may carry, each named once: the envelope writes them, the contract for
 * consumers (src/contract) describes them. CloudEvents attributes add `ce_<attribute>`.
 */
export const RECORD_HEADER = {
  eventName: 'kytos-event-name',
  eventId: 'kytos-event-id',
  contentType: 'content-type',
  cloudEventPrefix: 'ce_',
  deadLetterReason: 'dlq-reason',
  deadLetterOriginalTopic: 'dlq-original-topic',
  deadLetterValueOmitted: 'dlq-value-omitted',
  deadLetterOriginalBytes: 'dlq-original-bytes',
} as const;

/** What a record is made of; an event without id or timestamp gets them here. */
export interface EventFields {
  name: string;
  content: Record<string, unknown>;
  /** The content already serialized by stringifyExactInSlices, written as is. */
  contentJson?: string;
  id?: string;
  timestamp?: string;
  /** Set when the event was posted as a CloudEvent: its source and its further attributes. */
  cloudEvent?: CloudEventOrigin;
}

/** A CloudEvent's source, and its optional and extension attributes (subject, dataschema, ...). */
export interface CloudEventOrigin {
  source: string;
  attributes: Readonly<Record<string, string>>;
}

/** How a record is written beyond its value: topic, key, headers. */
export interface EnvelopeOptions {
  /** The record's topic: a rule's, or KAFKA_TOPIC (FilterService resolves which). */
  topic: string;
  /** The record key from the stamped event, when a rule says where it is; else KAFKA_RECORD_KEY's. */
  keyOf?: (event: StampedEvent) => string;
  /** KAFKA_RECORD_KEY; `name` when absent. */
  recordKey?: RecordKey;
  /** Set when records are CloudEvents (KAFKA_RECORD_FORMAT=cloudevents): the source of Kytos' events. */
  cloudEventsSource?: string;
  /** W3C trace context headers (traceparent, tracestate) for the record. */
  traceHeaders?: Readonly<Record<string, string>>;
}

/** The event cannot become a record as it is: `field` names what, `reason` says why. */
export class UnserializableEventError extends Error {
  constructor(
    readonly field: 'content' | 'key',
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/**
 * The longest record key taken, in UTF-8 bytes. Keys name an entity (a switch, a link, a
 * circuit); one this long is a mistake or an attack, and every key is hashed for its partition.
 */
export const MAX_RECORD_KEY_BYTES = 1024;

/**
 * C0 and C1 control characters (CloudEvents forbids them in attributes): a consumer that puts a
 * header or a key into an HTTP header or a log line would let CR and LF in.
 */
export const CONTROL_CHARACTER_RANGES = '\\u0000-\\u001f\\u007f-\\u009f';
const CONTROL_CHARACTER = new RegExp(`[${CONTROL_CHARACTER_RANGES}]`);

/**
 * A CloudEvents source as a record header carries it: a URI-reference in printable ASCII, no
 * spaces. Both the configured source and a posted CloudEvent's are held to it.
 */
export const CLOUD_EVENT_SOURCE_PATTERN = '^[\\x21-\\x7e]{1,1024}$';

/** An event's fields once it has an id and a timestamp: what a record key may be read from. */
export interface StampedEvent {
  id: string;
  name: string;
  timestamp: string;
  content: unknown;
}

/**
 * One permitted event in the record format of version 1 (see docs/architecture.md): serialized
 * once, here, and sent as is however often the send is retried.
 */
export class EventEnvelope implements OutgoingRecord {
  private constructor(
    readonly id: string,
    readonly name: string,
    readonly key: string | null,
    readonly value: Buffer,
    readonly topic: string,
    /**
     * The record's headers beyond the three every record has (trace context, CloudEvents
     * attributes, a dead letter's reason), fixed here so that a retry or the spool sends the same.
     */
    readonly extraHeaders: Readonly<Record<string, string>>,
  ) {}

  /**
   * `{"event", "message"}` is what the Python NApp sent; `id` and `timestamp` are added. As a
   * CloudEvent (Kafka protocol binding, binary mode) the value stays the same, so a consumer can
   * switch formats without parsing anything differently; the attributes go in `ce_` headers.
   */
  static fromEvent(event: EventFields, receivedAt: Date, options: EnvelopeOptions): EventEnvelope {
    const { recordKey = 'name', keyOf } = options;
    const id = event.id ?? randomUUID();
    const timestamp = event.timestamp ?? receivedAt.toISOString();
    let message: string;
    try {
      // Numbers the body reader carried exactly (64-bit cookies) are written back digit for digit.
      message = event.contentJson ?? stringifyExact(event.content);
    } catch {
      // JSON.parse accepts nesting deeper than JSON.stringify's stack can walk back.
      throw new UnserializableEventError('content', 'is nested too deeply to serialize');
    }
    const json = `{"event":${JSON.stringify(event.name)},"message":${message},"id":${JSON.stringify(id)},"timestamp":${JSON.stringify(timestamp)}}`;
    const value = Buffer.from(json, 'utf8');
    const key = checkedKey(
      keyOf
        ? keyOf({ id, name: event.name, timestamp, content: event.content })
        : recordKey === 'name'
          ? event.name
          : recordKey === 'id'
            ? id
            : null,
    );
    const extraHeaders =
      options.traceHeaders === undefined && options.cloudEventsSource === undefined
        ? NO_HEADERS
        : {
            ...options.traceHeaders,
            ...(options.cloudEventsSource !== undefined &&
              cloudEventHeaders(event, id, timestamp, options.cloudEventsSource)),
          };
    return new EventEnvelope(id, event.name, key, value, options.topic, extraHeaders);
  }

  /** Rebuilds an envelope that was serialized before (read back from the spool). */
  static restore(
    id: string,
    name: string,
    key: string | null,
    value: Buffer,
    topic: string,
    extraHeaders: Readonly<Record<string, string>> = NO_HEADERS,
  ): EventEnvelope {
    return new EventEnvelope(id, name, key, value, topic, extraHeaders);
  }

  /**
   * The same record bound for the dead letter topic, with why it was refused and where it was
   * meant to go (`dlq-reason`, `dlq-original-topic`).
   */
  deadLetter(dlqTopic: string, reason: string): EventEnvelope {
    return new EventEnvelope(this.id, this.name, this.key, this.value, dlqTopic, {
      ...this.extraHeaders,
      [RECORD_HEADER.deadLetterReason]: reason.slice(0, 1024),
      [RECORD_HEADER.deadLetterOriginalTopic]: this.topic,
    });
  }

  /**
   * The dead letter of a record too large even for the dead letter topic: the same headers (the
   * event's name and id among them) and its size, without the value.
   */
  deadLetterWithoutValue(dlqTopic: string, reason: string): EventEnvelope {
    const letter = this.deadLetter(dlqTopic, reason);
    return new EventEnvelope(this.id, this.name, this.key, EMPTY_VALUE, dlqTopic, {
      ...letter.extraHeaders,
      [RECORD_HEADER.deadLetterValueOmitted]: 'too large',
      [RECORD_HEADER.deadLetterOriginalBytes]: String(this.value.length),
    });
  }

  /**
   * The bytes this record takes in a record batch, uncompressed, as Kafka counts them (record
   * format v2): every string in UTF-8, and each length, delta and count at its longest varint,
   * so the figure is never below the real one. Computed once: batching reads it often.
   */
  get size(): number {
    return (this.bytes ??= recordBytes(this.key, this.value, this.toMessage().headers));
  }

  private bytes?: number;

  /** A fresh object each time: nothing one send does to a message can leak into a retry. */
  toMessage(): KafkaMessage {
    return {
      key: this.key,
      value: this.value,
      headers: {
        [RECORD_HEADER.eventName]: this.name,
        [RECORD_HEADER.eventId]: this.id,
        [RECORD_HEADER.contentType]: 'application/json',
        ...this.extraHeaders,
      },
    };
  }
}

const EMPTY_VALUE = Buffer.alloc(0);

/** Most records have no header beyond the three: they share this. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * CloudEvents 1.0 in the Kafka protocol binding's binary mode: each attribute a `ce_` header,
 * `content-type` (already set) the data's. A CloudEvent posted to the webhook keeps its source
 * and carries its other attributes on.
 */
function cloudEventHeaders(
  event: EventFields,
  id: string,
  time: string,
  source: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: id,
    ce_source: event.cloudEvent?.source ?? source,
    ce_type: event.name,
    ce_time: time,
  };
  for (const [name, value] of Object.entries(event.cloudEvent?.attributes ?? {})) {
    headers[`${RECORD_HEADER.cloudEventPrefix}${name}`] = value;
  }
  return headers;
}

/** A record's fields beyond its key and value: length, attributes, timestamp and offset deltas. */
const RECORD_FRAMING_BYTES = 5 + 1 + 10 + 5;
/** Each length or count: a varint of at most five bytes. */
const VARINT_BYTES = 5;

function recordBytes(
  key: string | null,
  value: Buffer,
  headers: Readonly<Record<string, string>>,
): number {
  let size = RECORD_FRAMING_BYTES + VARINT_BYTES + (key === null ? 0 : Buffer.byteLength(key));
  size += VARINT_BYTES + value.length + VARINT_BYTES;
  for (const name in headers) {
    size += 2 * VARINT_BYTES + Buffer.byteLength(name) + Buffer.byteLength(headers[name] ?? '');
  }
  return size;
}

/** A key is bounded and printable: it reaches the partitioner, consumers' logs and their headers. */
function checkedKey(key: string | null): string | null {
  if (key === null) return null;
  if (key.length > MAX_RECORD_KEY_BYTES || Buffer.byteLength(key) > MAX_RECORD_KEY_BYTES) {
    throw new UnserializableEventError(
      'key',
      `is ${Buffer.byteLength(key)} bytes in UTF-8; a record key may be at most ${MAX_RECORD_KEY_BYTES}`,
    );
  }
  if (CONTROL_CHARACTER.test(key)) {
    throw new UnserializableEventError('key', 'must not hold control characters');
  }
  return key;
}
