import type {
  DELIVERY_MODES,
  KAFKA_ACKS,
  KAFKA_COMPRESSIONS,
  LOG_FORMATS,
  LOG_LEVELS,
  RECORD_FORMATS,
  RECORD_KEYS,
  RULE_STORES,
  SASL_MECHANISMS,
} from './env-schema.js';

/** The shapes of the settings AppConfig holds, grouped by the part of the service they steer. */

export type KafkaAcks = (typeof KAFKA_ACKS)[number];
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];
export type RecordKey = (typeof RECORD_KEYS)[number];
export type RecordFormat = (typeof RECORD_FORMATS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type DeliveryMode = (typeof DELIVERY_MODES)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
export type SaslMechanism = Exclude<(typeof SASL_MECHANISMS)[number], 'none'>;
export type RuleStoreKind = (typeof RULE_STORES)[number];

export interface PresetRuleSetting {
  pattern: string;
  description: string;
  action: 'allow' | 'deny';
}

export interface RetrySettings {
  /** Attempts after the first one. */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** No attempt starts after this much time has passed since the first one. */
  deadlineMs: number;
}

/** TLS to the brokers; PEM contents are read from their files once, at start. */
export interface KafkaTlsSettings {
  /** CA bundle that signed the brokers' certificates; without it, the system's CAs. */
  ca?: string;
  /** Client certificate and key, for brokers that require mutual TLS. */
  cert?: string;
  key?: string;
  keyPassword?: string;
  /** The name the brokers' certificates carry, when it differs from the host in KAFKA_BROKERS. */
  servername?: string;
}

/** One member per mechanism, the shape kafkajs' own SASL options have. */
export type KafkaSaslSettings = {
  [M in SaslMechanism]: { mechanism: M; username: string; password: string };
}[SaslMechanism];

export interface KafkaSettings {
  brokers: string[];
  tls?: KafkaTlsSettings;
  sasl?: KafkaSaslSettings;
  topic: string;
  /** Where records Kafka refuses for good go in spool mode, with the reason; none: a local file. */
  dlqTopic: string | undefined;
  clientId: string;
  acks: KafkaAcks;
  compression: KafkaCompression;
  idempotent: boolean;
  recordKey: RecordKey;
  /** `kytos`: the record format of version 1. `cloudevents`: the same value, with ce_ headers. */
  recordFormat: RecordFormat;
  /** ce_source of the events Kytos posts (a CloudEvent posted to the webhook keeps its own). */
  cloudEventsSource: string;
  retry: RetrySettings;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  topicPartitions: number;
  topicReplicationFactor: number;
  /**
   * The largest record taken, uncompressed (413 beyond); topics the service creates take it
   * whole. What Kafka checks, the compressed batch against the topic's max.message.bytes, is
   * RecordFit's.
   */
  maxRecordBytes: number;
  /** How often the background check asks Kafka whether it answers (readiness, metrics). */
  checkIntervalMs: number;
  /** Whether /health/ready fails while Kafka does not answer (by default in `kafka` delivery mode only). */
  requiredForReadiness: boolean;
}

/** How envelopes of concurrent requests are coalesced into Kafka batches (PublishQueue). */
export interface BatchSettings {
  maxEvents: number;
  maxBytes: number;
  lingerMs: number;
  maxInFlight: number;
  /** Backpressure: past these, requests get 503 instead of growing memory. */
  maxQueuedEvents: number;
  maxQueuedBytes: number;
}

export interface DeliverySettings {
  /** `kafka`: answer 200 after Kafka's ack. `spool`: answer 202 after an fsynced local append. */
  mode: DeliveryMode;
  batch: BatchSettings;
  spoolDir: string;
  spoolSegmentBytes: number;
  spoolMaxBytes: number;
  /** While the forwarder keeps up, the least time between two of its batches. */
  spoolForwardLingerMs: number;
}

export interface IngestSettings {
  maxBodyBytes: number;
  maxBatchEvents: number;
  /** Requests a second per client address (0: no limit), and how many at once. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /**
   * Proxies in front of the service whose X-Forwarded-For is believed (0: none, the socket's
   * address is the client's). Only set it when such proxies exist: a client could name itself.
   */
  trustProxyHops: number;
  /** How long a published event id is remembered against a sender's retry (0: not at all). */
  dedupeWindowSeconds: number;
  /** Most ids remembered: past it the oldest leave early (bounded memory). */
  dedupeMaxIds: number;
}

export interface FilterSettings {
  presets: PresetRuleSetting[];
  /** `kafka`: operator rules in a compacted topic every instance follows. `memory`: this process only. */
  store: RuleStoreKind;
  topic: string;
  /**
   * A local copy of the last rules applied from Kafka: an instance that starts while Kafka is
   * away decides with it, and a rules topic that vanished is noticed instead of re-created empty.
   */
  snapshotFile?: string;
  maxPatternLength: number;
  maxRules: number;
}

export interface AuthSettings {
  /** Explicitly no authentication (local use only); never the default. */
  disabled: boolean;
  /** HMAC-SHA256 shared secret for webhook signatures. */
  webhookSecret?: string;
  /** The simpler alternative: a bearer token for the webhook. */
  webhookToken?: string;
  /** Signed requests older or newer than this are refused (replay window). */
  maxSkewSeconds: number;
  /** How long a refused webhook request waits for its 401 (slows floods and guessing). */
  failureDelayMs: number;
  /** Bearer token for rule management; without it, rules cannot be changed through the API. */
  adminToken?: string;
  /** Whether GET on the rules needs the admin token too. */
  readsOpen: boolean;
}

export interface TracingSettings {
  /** Where finished spans go, OTLP over HTTP; undefined: no exporter, trace context passed on as is. */
  otlpTracesEndpoint: string | undefined;
  /** service.name of the spans. */
  serviceName: string;
}
