import type { KafkaSettings } from '../kafka/index.js';
import type { FilterSettings } from '../filters/index.js';
import { RECORD_HEADER } from '../publisher/index.js';
import { EVENT_FAMILIES, CONTENT_SCHEMA_OF } from './event-families.js';
import {
  CONTENT_SCHEMAS,
  type ContentSchemaName,
  schemaRef,
  JSON_SCHEMA_DIALECT,
  type JsonSchema,
} from './kytos-content-schemas.js';

/** The settings the contract names: where records go and how the topics are made. */
export interface ContractTopics {
  kafka: Pick<KafkaSettings, 'topic' | 'dlqTopic' | 'topicPartitions' | 'topicReplicationFactor'>;
  filters: Pick<FilterSettings, 'topic'>;
}

/** How every schema in the contract is written; consumers' validators pick the dialect from it. */
export const SCHEMA_FORMAT = 'application/schema+json;version=draft-2020-12';

/** The schema of a whole record value: consumers validate each record against it. */
export const RECORD_SCHEMA = 'EventRecord';

const KAFKA_BINDING_VERSION = '0.5.0';

/**
 * The contract for the people who read the topics (AsyncAPI 3.0): which topics the service
 * writes, what a record's key, headers and value are, and the content of each event family.
 * asyncapi.json is this, built with the default settings; /api/asyncapi.json is this with the
 * settings the service runs with.
 */
export function buildAsyncApiDocument({ kafka, filters }: ContractTopics): JsonSchema {
  const familyMessages = Object.fromEntries(
    EVENT_FAMILIES.map((family) => [family.message, familyMessage(family)]),
  );
  const messages = { ...familyMessages, otherEvent: otherEventMessage() };
  const messageRefs = Object.fromEntries(
    Object.keys(messages).map((name) => [name, { $ref: `#/components/messages/${name}` }]),
  );
  const topicBinding = {
    kafka: {
      partitions: kafka.topicPartitions,
      replicas: kafka.topicReplicationFactor,
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'kafka-events: the records it writes',
      version: '1',
      description:
        'The Kafka side of kafka-events: each Kytos event a permission rule allows becomes one ' +
        'record, written with acks=all by an idempotent producer and acknowledged to Kytos only ' +
        "once Kafka has it. A record's value is JSON `{event, message, id, timestamp}`; " +
        '`message` is the content Kytos sent, described here per event family (JSON Schema ' +
        "2020-12, from Kytos-ng's `as_dict` and the contents the real controller sends). " +
        'Consumers validate a record value against `EventRecord`.',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: '{brokers}',
        protocol: 'kafka',
        description: 'The Kafka cluster the service writes to.',
        variables: {
          brokers: { default: 'localhost:9092', description: 'KAFKA_BROKERS' },
        },
        bindings: { kafka: { bindingVersion: KAFKA_BINDING_VERSION } },
      },
    },
    channels: {
      events: {
        address: kafka.topic,
        title: 'Kytos events (KAFKA_TOPIC)',
        description:
          'Every permitted event, unless the most specific matching allow rule names a topic. ' +
          "Created at start when missing. A record's Kafka timestamp is when the service sent " +
          "it (in spool mode, from the spool); the event's own time is `timestamp` in the value.",
        messages: messageRefs,
        bindings: topicBinding,
      },
      routedEvents: {
        address: '{topic}',
        title: "Kytos events routed by a rule's topic",
        description:
          'The events whose most specific matching allow rule names a `topic`: the same records, on that topic.',
        parameters: { topic: { description: "an allow rule's `topic`" } },
        messages: messageRefs,
      },
      deadLetters: {
        address: kafka.dlqTopic ?? null,
        title: 'Dead letters (KAFKA_DLQ_TOPIC)',
        description:
          `Records Kafka refused for good, unchanged, with \`${RECORD_HEADER.deadLetterReason}\` and ` +
          `\`${RECORD_HEADER.deadLetterOriginalTopic}\` headers; a record too large even here comes ` +
          `without its value, with \`${RECORD_HEADER.deadLetterValueOmitted}\` and ` +
          `\`${RECORD_HEADER.deadLetterOriginalBytes}\`. Only when KAFKA_DLQ_TOPIC is set.`,
        messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
      },
      rules: {
        address: filters.topic,
        title: 'Permission rules (FILTER_TOPIC), internal',
        description:
          "Internal: the service's own store of operator rules (compacted, keyed by rule id). " +
          'Not for consumers; its format may change without notice.',
        messages: { rule: { $ref: '#/components/messages/rule' } },
        'x-internal': true,
      },
    },
    operations: {
      writeEvents: sendOperation('events', 'Writes each permitted event', messageRefs),
      writeRoutedEvents: sendOperation(
        'routedEvents',
        'Writes each permitted event a rule routes to its topic',
        messageRefs,
      ),
      writeDeadLetters: sendOperation('deadLetters', 'Sets aside what Kafka refused for good', {
        deadLetter: { $ref: '#/components/messages/deadLetter' },
      }),
      storeRules: sendOperation('rules', 'Stores the operator rules (internal)', {
        rule: { $ref: '#/components/messages/rule' },
      }),
    },
    components: {
      messages: {
        ...messages,
        deadLetter: {
          name: 'deadLetter',
          title: 'A refused record',
          summary: 'The record as it was meant to go, with why it was refused',
          headers: wrap(deadLetterHeaders()),
          payload: wrap({
            description: 'the refused record value, or empty when it was too large',
            anyOf: [schemaRef(RECORD_SCHEMA), { maxLength: 0 }],
          }),
        },
        rule: {
          name: 'rule',
          title: 'A stored rule (internal)',
          payload: wrap({ type: ['object', 'null'], description: 'null: the rule was deleted' }),
        },
      },
      schemas: contractSchemas(),
    },
  };
}

/** The contract's schemas, as its `components.schemas` holds them (wrapped in their format). */
export function contractSchemas(): Record<string, JsonSchema> {
  return {
    [RECORD_SCHEMA]: wrap(recordSchema()),
    RecordHeaders: wrap(recordHeaders()),
    RecordKey: wrap(recordKey()),
    ...Object.fromEntries(
      Object.entries(CONTENT_SCHEMAS).map(([name, schema]) => [name, wrap(schema)]),
    ),
  };
}

/** A schema in the contract's dialect (the AsyncAPI default is draft-07). */
function wrap(schema: JsonSchema): JsonSchema {
  return { schemaFormat: SCHEMA_FORMAT, schema: { $schema: JSON_SCHEMA_DIALECT, ...schema } };
}

function sendOperation(channel: string, summary: string, messages: Record<string, unknown>) {
  return {
    action: 'send',
    channel: { $ref: `#/channels/${channel}` },
    summary,
    messages: Object.keys(messages).map((name) => ({
      $ref: `#/channels/${channel}/messages/${name}`,
    })),
    bindings: { kafka: { bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

/** The value of every event record; `message` checked against its event's content schema. */
function recordSchema(): JsonSchema {
  const namesBySchema = new Map<ContentSchemaName, string[]>();
  for (const [name, schema] of CONTENT_SCHEMA_OF) {
    namesBySchema.set(schema, [...(namesBySchema.get(schema) ?? []), name]);
  }
  return {
    title: 'An event record',
    type: 'object',
    properties: {
      event: { type: 'string', description: "the event's name, as Kytos sent it" },
      message: { type: 'object', description: "the event's content, as Kytos sent it" },
      id: { type: 'string', description: "the event's id (Kytos' uuid4, or the one posted)" },
      timestamp: {
        type: 'string',
        description: "the event's time (ISO 8601, UTC), or when the service received it",
      },
    },
    required: ['event', 'message', 'id', 'timestamp'],
    allOf: [...namesBySchema].map(([schema, names]) => ({
      if: { properties: { event: { enum: names } } },
      then: { properties: { message: schemaRef(schema) } },
    })),
  };
}

function familyMessage({ message, title, events }: (typeof EVENT_FAMILIES)[number]) {
  return {
    name: message,
    title,
    summary: Object.keys(events).join(', '),
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/RecordHeaders' },
    payload: wrap({
      allOf: [schemaRef(RECORD_SCHEMA)],
      properties: { event: { enum: Object.keys(events) } },
    }),
    bindings: messageBinding(),
  };
}

function otherEventMessage() {
  return {
    name: 'otherEvent',
    title: 'Any other event',
    summary: 'An event outside the families above: the same envelope, its content not described',
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/RecordHeaders' },
    payload: wrap({
      allOf: [schemaRef(RECORD_SCHEMA)],
      properties: { event: { not: { enum: [...CONTENT_SCHEMA_OF.keys()] } } },
    }),
    bindings: messageBinding(),
  };
}

function messageBinding() {
  return {
    kafka: {
      key: { $ref: '#/components/schemas/RecordKey' },
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
}

function recordKey(): JsonSchema {
  return {
    type: ['string', 'null'],
    maxLength: 1024,
    description:
      'Chosen per record, in this order: the string or number the `key` JSON Pointer of the most ' +
      'specific matching allow rule finds in `{id, name, timestamp, content}` (the event name when ' +
      'it finds nothing); else KAFKA_RECORD_KEY: the event name (`name`, the default), the event ' +
      'id (`id`), or no key (`none`, null). Records of one key stay in order on one partition.',
  };
}

function recordHeaders(): JsonSchema {
  const ce = RECORD_HEADER.cloudEventPrefix;
  const text = (description: string) => ({ type: 'string', description });
  return {
    type: 'object',
    properties: {
      [RECORD_HEADER.eventName]: text("the event's name"),
      [RECORD_HEADER.eventId]: text("the event's id"),
      [RECORD_HEADER.contentType]: { const: 'application/json' },
      [`${ce}specversion`]: {
        const: '1.0',
        description: 'with KAFKA_RECORD_FORMAT=cloudevents: CloudEvents 1.0, binary mode',
      },
      [`${ce}id`]: text('CloudEvents: the event id'),
      [`${ce}source`]: text("CloudEvents: CLOUDEVENTS_SOURCE, or a posted CloudEvent's source"),
      [`${ce}type`]: text('CloudEvents: the event name'),
      [`${ce}time`]: text("CloudEvents: the event's timestamp"),
      [`${ce}subject`]: text("CloudEvents: a posted CloudEvent's subject"),
      [`${ce}dataschema`]: text("CloudEvents: a posted CloudEvent's dataschema"),
      traceparent: text(
        "W3C Trace Context: the producer span's, or the event's own trace context, when it has one",
      ),
      tracestate: text('W3C Trace Context, with traceparent'),
    },
    required: [RECORD_HEADER.eventName, RECORD_HEADER.eventId, RECORD_HEADER.contentType],
  };
}

function deadLetterHeaders(): JsonSchema {
  const text = (description: string) => ({ type: 'string', description });
  return {
    allOf: [schemaRef('RecordHeaders')],
    properties: {
      [RECORD_HEADER.deadLetterReason]: text("Kafka's refusal (at most 1024 characters)"),
      [RECORD_HEADER.deadLetterOriginalTopic]: text('the topic the record was meant for'),
      [RECORD_HEADER.deadLetterValueOmitted]: text('`too large`: the value is left out'),
      [RECORD_HEADER.deadLetterOriginalBytes]: text("the left-out value's size in bytes"),
    },
    required: [RECORD_HEADER.deadLetterReason, RECORD_HEADER.deadLetterOriginalTopic],
  };
}
