import type { z } from 'zod';
import {
  boolean,
  fileContents,
  integer,
  oneOf,
  optionalBoolean,
  optionalText,
  pemFile,
  secret,
  SettingsGroup,
  type SettingsOf,
  text,
  type ValuesOf,
  verbatim,
} from '../config/index.js';
import {
  KAFKA_DEFAULT_REQUEST_MAX_BYTES,
  largestRecordBatchBytes,
  PRODUCE_REQUEST_OVERHEAD_BYTES,
} from './record-batch-bytes.js';
import { TOPIC_NAME, TOPIC_NAME_RULE } from './topic-name.js';

export const KAFKA_ACKS = ['all', '1', '0'] as const;
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;

export type KafkaAcks = (typeof KAFKA_ACKS)[number];
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];
export type SaslMechanism = Exclude<(typeof SASL_MECHANISMS)[number], 'none'>;

/** One member per mechanism, the shape kafkajs' own SASL options have. */
export type KafkaSaslSettings = {
  [M in SaslMechanism]: { mechanism: M; username: string; password: string };
}[SaslMechanism];

const MiB = 1024 * 1024;

const fields = {
  KAFKA_BROKERS: text('127.0.0.1:9092', checkBrokers).about('comma-separated `host:port` list'),
  KAFKA_TLS: boolean(false).about(
    "`true`: TLS to the brokers (verified against `KAFKA_TLS_CA_FILE`, or the system's CAs)",
  ),
  KAFKA_TLS_CA_FILE: pemFile('KAFKA_TLS_CA_FILE').about(
    "PEM file of the CA(s) that signed the brokers' certificates",
  ),
  KAFKA_TLS_CERT_FILE: pemFile('KAFKA_TLS_CERT_FILE').about(
    'PEM client certificate, for brokers that require mutual TLS (with `KAFKA_TLS_KEY_FILE`)',
  ),
  KAFKA_TLS_KEY_FILE: pemFile('KAFKA_TLS_KEY_FILE').about(
    'PEM private key of the client certificate',
  ),
  KAFKA_TLS_KEY_PASSWORD: optionalText().about(
    'passphrase of an encrypted key (or `KAFKA_TLS_KEY_PASSWORD_FILE`)',
  ),
  KAFKA_TLS_KEY_PASSWORD_FILE: fileContents('KAFKA_TLS_KEY_PASSWORD_FILE').about(
    'file holding `KAFKA_TLS_KEY_PASSWORD` (a mounted secret)',
  ),
  KAFKA_TLS_SERVERNAME: optionalText().about(
    "name to expect in the brokers' certificates, if not the host in `KAFKA_BROKERS`",
  ),
  KAFKA_SASL_MECHANISM: oneOf('none', SASL_MECHANISMS).about(
    '`plain`, `scram-sha-256` or `scram-sha-512` (use `plain` only over TLS)',
  ),
  KAFKA_SASL_USERNAME: optionalText().about('SASL user'),
  KAFKA_SASL_PASSWORD: optionalText().about(
    'SASL password (or `KAFKA_SASL_PASSWORD_FILE`, for a mounted Kubernetes secret)',
  ),
  KAFKA_SASL_PASSWORD_FILE: fileContents('KAFKA_SASL_PASSWORD_FILE').about(
    'file holding `KAFKA_SASL_PASSWORD` (a mounted Kubernetes secret)',
  ),
  KAFKA_TOPIC: text('event_logs', checkTopicName).about(
    'topic the events go to (must differ from `FILTER_TOPIC`)',
  ),
  KAFKA_DLQ_TOPIC: optionalText(checkTopicName).about(
    'where records Kafka refuses for good go, with `dlq-reason` and `dlq-original-topic` headers (created at start like `KAFKA_TOPIC`; must differ from it and from `FILTER_TOPIC`); unset: `502` in kafka mode, `SPOOL_DIR/rejected.spool` in spool mode',
  ),
  KAFKA_CLIENT_ID: text('kafka-events', checkClientId).about('Kafka client id'),
  KAFKA_ACKS: oneOf('all', KAFKA_ACKS).about(
    '`all`, `1` or `0` (`0`: answered without any broker acknowledgement)',
  ),
  KAFKA_COMPRESSION: oneOf('gzip', KAFKA_COMPRESSIONS).about(
    '`none`, `gzip`, `snappy`, `lz4` or `zstd`',
  ),
  KAFKA_IDEMPOTENT: boolean(true).about('idempotent producer; needs `KAFKA_ACKS=all`'),
  KAFKA_RETRIES: integer(8, 0, 100).about('retries of a failed publish (transient errors only)'),
  KAFKA_RETRY_INITIAL_MS: integer(100, 1, 60_000).about(
    'first backoff; doubles each retry, with jitter',
  ),
  KAFKA_RETRY_MAX_MS: integer(2_000, 1, 300_000).about('longest backoff'),
  KAFKA_RETRY_DEADLINE_MS: integer(10_000, 100, 600_000).about(
    'no retry starts later than this after the first attempt (then `503`)',
  ),
  KAFKA_REQUEST_TIMEOUT_MS: integer(5_000, 100, 300_000).about("one Kafka request's timeout"),
  KAFKA_CONNECTION_TIMEOUT_MS: integer(1_000, 100, 60_000).about(
    "one connection attempt's timeout",
  ),
  KAFKA_TOPIC_PARTITIONS: integer(3, 1, 10_000).about(
    'partitions of the topic when this service creates it',
  ),
  KAFKA_TOPIC_REPLICATION_FACTOR: integer(1, 1, 32).about(
    'replication factor of the topic when this service creates it',
  ),
  KAFKA_MAX_RECORD_BYTES: integer(16 * MiB, 1024, 256 * MiB).about(
    'the largest event taken as a Kafka record, uncompressed (`413` beyond); topics the service creates get a `max.message.bytes` that takes it (see Size limits)',
  ),
  PUBLISH_BATCH_MAX_EVENTS: integer(1000, 1, 100_000).about(
    "most events in one produce request (also the spool forwarder's batch)",
  ),
  PUBLISH_BATCH_MAX_BYTES: integer(MiB, 1024, 64 * MiB).about(
    'most bytes in one produce request, as Kafka counts a record batch',
  ),
  PUBLISH_LINGER_MS: integer(5, 0, 1000).about(
    "while several senders are at work, the least time between two produce requests (one sender's event always goes at once)",
  ),
  PUBLISH_MAX_QUEUED_EVENTS: integer(50_000, 1, 10_000_000).about(
    'events waiting for Kafka before requests get `503` (`kafka` mode)',
  ),
  PUBLISH_MAX_QUEUED_BYTES: integer(128 * MiB, MiB, 4096 * MiB).about(
    'bytes waiting for Kafka before requests get `503` (`kafka` mode)',
  ),
  KAFKA_CHECK_INTERVAL_MS: integer(5_000, 200, 300_000).about(
    'how often a background request checks that Kafka answers (readiness, `kafka_events_kafka_up`)',
  ),
  // By default in `kafka` mode only (HealthModule decides): a spooling instance takes events while Kafka is away.
  READY_REQUIRES_KAFKA: optionalBoolean().about(
    'whether `/health/ready` fails while Kafka does not answer (in spool mode an outage only shows as `degraded`)',
    '`true` in `kafka` mode, `false` in `spool` mode',
  ),
};

type Values = ValuesOf<typeof fields>;

/** How to reach Kafka, what to ask of it, and the topics' names and shape (KafkaModule's). */
export const kafkaSettings = new SettingsGroup(
  'Kafka',
  fields,
  (env, ctx) => {
    const secrets = kafkaSecrets(env, ctx);
    const sasl: KafkaSaslSettings | undefined =
      env.KAFKA_SASL_MECHANISM === 'none'
        ? undefined
        : {
            mechanism: env.KAFKA_SASL_MECHANISM,
            username: env.KAFKA_SASL_USERNAME ?? '',
            password: secrets.saslPassword ?? '',
          };
    return {
      brokers: env.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
      /** TLS to the brokers; PEM contents are read from their files once, at start. */
      tls: env.KAFKA_TLS
        ? {
            ca: env.KAFKA_TLS_CA_FILE,
            cert: env.KAFKA_TLS_CERT_FILE,
            key: env.KAFKA_TLS_KEY_FILE,
            keyPassword: secrets.tlsKeyPassword,
            servername: env.KAFKA_TLS_SERVERNAME,
          }
        : undefined,
      sasl,
      topic: env.KAFKA_TOPIC,
      dlqTopic: env.KAFKA_DLQ_TOPIC,
      clientId: env.KAFKA_CLIENT_ID,
      acks: env.KAFKA_ACKS,
      compression: env.KAFKA_COMPRESSION,
      idempotent: env.KAFKA_IDEMPOTENT,
      retry: {
        retries: env.KAFKA_RETRIES,
        initialDelayMs: env.KAFKA_RETRY_INITIAL_MS,
        maxDelayMs: env.KAFKA_RETRY_MAX_MS,
        deadlineMs: env.KAFKA_RETRY_DEADLINE_MS,
      },
      requestTimeoutMs: env.KAFKA_REQUEST_TIMEOUT_MS,
      connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS,
      topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
      topicReplicationFactor: env.KAFKA_TOPIC_REPLICATION_FACTOR,
      maxRecordBytes: env.KAFKA_MAX_RECORD_BYTES,
      checkIntervalMs: env.KAFKA_CHECK_INTERVAL_MS,
      /** The producer's batching stage (BatchingQueue): its batches, pacing and backpressure. */
      batch: {
        maxEvents: env.PUBLISH_BATCH_MAX_EVENTS,
        maxBytes: env.PUBLISH_BATCH_MAX_BYTES,
        lingerMs: env.PUBLISH_LINGER_MS,
        maxQueuedEvents: env.PUBLISH_MAX_QUEUED_EVENTS,
        maxQueuedBytes: env.PUBLISH_MAX_QUEUED_BYTES,
      },
      /** undefined: as the delivery mode implies (HealthModule). */
      requiredForReadiness: env.READY_REQUIRES_KAFKA,
    };
  },
  checkKafka,
);

export type KafkaSettings = SettingsOf<typeof kafkaSettings>;
export type KafkaTlsSettings = NonNullable<KafkaSettings['tls']>;
export type RetrySettings = KafkaSettings['retry'];
export type BatchSettings = KafkaSettings['batch'];

/** The secrets, each from NAME or NAME_FILE; problems are reported, values never shown. */
function kafkaSecrets(env: Values, ctx: z.RefinementCtx) {
  return {
    saslPassword: secret(
      ctx,
      'KAFKA_SASL_PASSWORD',
      env.KAFKA_SASL_PASSWORD,
      env.KAFKA_SASL_PASSWORD_FILE,
      1,
    ),
    tlsKeyPassword: secret(
      ctx,
      'KAFKA_TLS_KEY_PASSWORD',
      env.KAFKA_TLS_KEY_PASSWORD,
      env.KAFKA_TLS_KEY_PASSWORD_FILE,
      1,
    ),
  };
}

function checkKafka(env: Values, ctx: z.RefinementCtx): void {
  if (env.KAFKA_IDEMPOTENT && env.KAFKA_ACKS !== 'all') {
    verbatim(
      ctx,
      `KAFKA_IDEMPOTENT=true needs KAFKA_ACKS=all (got ${env.KAFKA_ACKS}): an idempotent producer ` +
        'only guarantees no duplicates when every in-sync replica acknowledges; set KAFKA_IDEMPOTENT=false to use acks 1 or 0',
    );
  }
  if (env.KAFKA_RETRY_INITIAL_MS > env.KAFKA_RETRY_MAX_MS) {
    verbatim(ctx, 'KAFKA_RETRY_INITIAL_MS must not be larger than KAFKA_RETRY_MAX_MS');
  }
  checkRequestSize(env, ctx);
  checkTls(env, ctx);
  checkSasl(env, kafkaSecrets(env, ctx).saslPassword, ctx);
}

/**
 * A produce request carrying one record of KAFKA_MAX_RECORD_BYTES, at its codec's worst growth,
 * must stay within Kafka's default socket.request.max.bytes: a broker closes the connection of
 * a larger request without answering, which the producer retries for ever. (A broker set lower
 * is read at connection: TopicLimits.)
 */
function checkRequestSize(env: Values, ctx: z.RefinementCtx): void {
  const request =
    largestRecordBatchBytes(env.KAFKA_COMPRESSION, env.KAFKA_MAX_RECORD_BYTES) +
    PRODUCE_REQUEST_OVERHEAD_BYTES;
  if (request > KAFKA_DEFAULT_REQUEST_MAX_BYTES) {
    verbatim(
      ctx,
      `KAFKA_MAX_RECORD_BYTES (${env.KAFKA_MAX_RECORD_BYTES}) with KAFKA_COMPRESSION=${env.KAFKA_COMPRESSION} ` +
        `makes produce requests of up to ${request} bytes, more than Kafka's socket.request.max.bytes ` +
        `(${KAFKA_DEFAULT_REQUEST_MAX_BYTES}): the broker would close the connection of every request carrying such an event`,
    );
  }
}

function checkTls(env: Values, ctx: z.RefinementCtx): void {
  const given = Object.entries({
    ca: env.KAFKA_TLS_CA_FILE,
    cert: env.KAFKA_TLS_CERT_FILE,
    key: env.KAFKA_TLS_KEY_FILE,
    keyPassword: env.KAFKA_TLS_KEY_PASSWORD ?? env.KAFKA_TLS_KEY_PASSWORD_FILE,
    servername: env.KAFKA_TLS_SERVERNAME,
  })
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
  if (!env.KAFKA_TLS && given.length > 0) {
    verbatim(ctx, `KAFKA_TLS_* settings are given (${given.join(', ')}) but KAFKA_TLS is not true`);
  }
  if (
    env.KAFKA_TLS &&
    (env.KAFKA_TLS_CERT_FILE === undefined) !== (env.KAFKA_TLS_KEY_FILE === undefined)
  ) {
    verbatim(ctx, 'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together: set both or neither');
  }
}

function checkSasl(env: Values, password: string | undefined, ctx: z.RefinementCtx): void {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  const username = env.KAFKA_SASL_USERNAME;
  if (mechanism === 'none') {
    if (username !== undefined || password !== undefined) {
      verbatim(ctx, 'KAFKA_SASL_USERNAME/PASSWORD are given but KAFKA_SASL_MECHANISM is none');
    }
  } else if (username === undefined || password === undefined) {
    verbatim(
      ctx,
      `KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`,
    );
  }
}

function checkBrokers(value: string): string | undefined {
  const bad = value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => !/^[A-Za-z0-9.\-_]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker));
  return bad.length > 0 ? 'a comma-separated list of host:port' : undefined;
}

/** Every topic setting is held to the rule rules' topics are held to. */
export function checkTopicName(value: string): string | undefined {
  return TOPIC_NAME.test(value) ? undefined : `a Kafka topic name: ${TOPIC_NAME_RULE}`;
}

function checkClientId(value: string): string | undefined {
  return /^[A-Za-z0-9._-]{1,128}$/.test(value) ? undefined : '1 to 128 of A-Z a-z 0-9 . _ -';
}
