import { EnvReader } from './env-reader.js';

export const KAFKA_ACKS = ['all', '1', '0'] as const;
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const RECORD_KEYS = ['name', 'id', 'none'] as const;
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export const DELIVERY_MODES = ['kafka', 'spool'] as const;
export const LOG_FORMATS = ['json', 'text'] as const;

export type KafkaAcks = (typeof KAFKA_ACKS)[number];
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];
export type RecordKey = (typeof RECORD_KEYS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type DeliveryMode = (typeof DELIVERY_MODES)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

export const RULE_STORES = ['kafka', 'memory'] as const;
export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
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
  clientId: string;
  acks: KafkaAcks;
  compression: KafkaCompression;
  idempotent: boolean;
  recordKey: RecordKey;
  retry: RetrySettings;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  topicPartitions: number;
  topicReplicationFactor: number;
  /** Larger records are refused with 413 before anything is sent (Kafka's default limit is 1 MiB). */
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

/** Every setting of the service, read once from the environment at start. */
export class AppConfig {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly logLevel: LogLevel,
    /** `json`: one JSON object per line, for log collectors; `text`: Nest's coloured lines, for people. */
    readonly logFormat: LogFormat,
    readonly shutdownTimeoutMs: number,
    readonly kafka: KafkaSettings,
    readonly ingest: IngestSettings,
    readonly filters: FilterSettings,
    readonly delivery: DeliverySettings,
    readonly auth: AuthSettings,
  ) {}
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The Kytos NApp's defaults: every core NApp's events, but not the raw OpenFlow traffic. */
export const DEFAULT_PRESETS: PresetRuleSetting[] = [
  { pattern: 'kytos[./](.*)', description: 'Allows all core NApps', action: 'allow' },
  {
    pattern: 'kytos/of_core.v0x04.messages.*',
    description: 'Raw OpenFlow 1.3 messages',
    action: 'deny',
  },
  {
    pattern: 'kytos/flow_manager.messages.out.*',
    description: 'Outgoing flow_manager OpenFlow messages',
    action: 'deny',
  },
  {
    pattern: 'kytos/of_lldp.messages.out.*',
    description: 'Outgoing LLDP packet-outs',
    action: 'deny',
  },
  { pattern: 'kytos/core.openflow.raw.*', description: 'Raw OpenFlow traffic', action: 'deny' },
];

const MiB = 1024 * 1024;

/** Reads and validates the whole configuration; throws ConfigError listing every bad variable. */
export function loadAppConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const read = new EnvReader(env);
  const maxPatternLength = read.integer('FILTER_MAX_PATTERN_LENGTH', 256, 1, 4096);
  const deliveryMode = read.oneOf('DELIVERY_MODE', 'kafka', DELIVERY_MODES);
  const kafka: KafkaSettings = {
    brokers: read.string('KAFKA_BROKERS', '127.0.0.1:9092', checkBrokers).split(',').map(trim),
    tls: readKafkaTls(read),
    sasl: readKafkaSasl(read),
    topic: read.string('KAFKA_TOPIC', 'event_logs', checkTopicName),
    clientId: read.string('KAFKA_CLIENT_ID', 'kafka-events', checkClientId),
    acks: read.oneOf('KAFKA_ACKS', 'all', KAFKA_ACKS),
    compression: read.oneOf('KAFKA_COMPRESSION', 'gzip', KAFKA_COMPRESSIONS),
    idempotent: read.boolean('KAFKA_IDEMPOTENT', true),
    recordKey: read.oneOf('KAFKA_RECORD_KEY', 'name', RECORD_KEYS),
    retry: {
      retries: read.integer('KAFKA_RETRIES', 8, 0, 100),
      initialDelayMs: read.integer('KAFKA_RETRY_INITIAL_MS', 100, 1, 60_000),
      maxDelayMs: read.integer('KAFKA_RETRY_MAX_MS', 2_000, 1, 300_000),
      deadlineMs: read.integer('KAFKA_RETRY_DEADLINE_MS', 10_000, 100, 600_000),
    },
    requestTimeoutMs: read.integer('KAFKA_REQUEST_TIMEOUT_MS', 5_000, 100, 300_000),
    connectionTimeoutMs: read.integer('KAFKA_CONNECTION_TIMEOUT_MS', 1_000, 100, 60_000),
    topicPartitions: read.integer('KAFKA_TOPIC_PARTITIONS', 3, 1, 10_000),
    topicReplicationFactor: read.integer('KAFKA_TOPIC_REPLICATION_FACTOR', 1, 1, 32),
    maxRecordBytes: read.integer('KAFKA_MAX_RECORD_BYTES', MiB - 1024, 1024, 256 * MiB),
    checkIntervalMs: read.integer('KAFKA_CHECK_INTERVAL_MS', 5_000, 200, 300_000),
    // A spooling instance takes events while Kafka is away: that is what the spool is for.
    requiredForReadiness: read.boolean('READY_REQUIRES_KAFKA', deliveryMode === 'kafka'),
  };
  if (kafka.idempotent && kafka.acks !== 'all') {
    read.conflict(
      `KAFKA_IDEMPOTENT=true needs KAFKA_ACKS=all (got ${kafka.acks}): an idempotent producer ` +
        'only guarantees no duplicates when every in-sync replica acknowledges; set KAFKA_IDEMPOTENT=false to use acks 1 or 0',
    );
  }
  if (kafka.retry.initialDelayMs > kafka.retry.maxDelayMs) {
    read.conflict('KAFKA_RETRY_INITIAL_MS must not be larger than KAFKA_RETRY_MAX_MS');
  }
  const config = new AppConfig(
    read.string('HOST', '127.0.0.1', checkHost),
    read.integer('PORT', 8080, 0, 65535),
    read.oneOf('LOG_LEVEL', 'log', LOG_LEVELS),
    read.oneOf('LOG_FORMAT', 'json', LOG_FORMATS),
    read.integer('SHUTDOWN_TIMEOUT_MS', 15_000, 100, 600_000),
    kafka,
    {
      maxBodyBytes: read.integer('INGEST_MAX_BODY_BYTES', 10 * MiB, 1024, 512 * MiB),
      maxBatchEvents: read.integer('INGEST_MAX_BATCH_EVENTS', 1000, 1, 100_000),
      rateLimitPerSecond: read.integer('RATE_LIMIT_PER_SECOND', 10_000, 0, 1_000_000),
      rateLimitBurst: read.integer('RATE_LIMIT_BURST', 20_000, 1, 10_000_000),
      trustProxyHops: read.integer('TRUST_PROXY_HOPS', 0, 0, 10),
    },
    {
      presets: read.json('FILTER_PRESETS', DEFAULT_PRESETS, (value) =>
        parsePresets(value, maxPatternLength),
      ),
      store: read.oneOf('FILTER_STORE', 'kafka', RULE_STORES),
      topic: read.string('FILTER_TOPIC', 'kafka_events_filters', checkTopicName),
      snapshotFile:
        read.raw('FILTER_SNAPSHOT_FILE') && read.string('FILTER_SNAPSHOT_FILE', '', checkPath),
      maxPatternLength,
      maxRules: read.integer('FILTER_MAX_RULES', 1000, 1, 100_000),
    },
    {
      mode: deliveryMode,
      batch: {
        maxEvents: read.integer('PUBLISH_BATCH_MAX_EVENTS', 1000, 1, 100_000),
        maxBytes: read.integer('PUBLISH_BATCH_MAX_BYTES', MiB, 1024, 64 * MiB),
        lingerMs: read.integer('PUBLISH_LINGER_MS', 2, 0, 1000),
        maxInFlight: read.integer('PUBLISH_MAX_IN_FLIGHT', 4, 1, 64),
        maxQueuedEvents: read.integer('PUBLISH_MAX_QUEUED_EVENTS', 50_000, 1, 10_000_000),
        maxQueuedBytes: read.integer('PUBLISH_MAX_QUEUED_BYTES', 128 * MiB, MiB, 4096 * MiB),
      },
      spoolDir: read.string('SPOOL_DIR', '.spool', checkPath),
      spoolSegmentBytes: read.integer('SPOOL_SEGMENT_BYTES', 16 * MiB, 64 * 1024, 1024 * MiB),
      spoolMaxBytes: read.integer('SPOOL_MAX_BYTES', 1024 * MiB, MiB, 1024 * 1024 * MiB),
    },
    {
      disabled: read.boolean('AUTH_DISABLED', false),
      webhookSecret: read.secret('AUTH_WEBHOOK_SECRET'),
      webhookToken: read.secret('AUTH_WEBHOOK_TOKEN'),
      maxSkewSeconds: read.integer('AUTH_MAX_SKEW_SECONDS', 300, 1, 86_400),
      failureDelayMs: read.integer('AUTH_FAILURE_DELAY_MS', 1000, 0, 60_000),
      adminToken: read.secret('AUTH_ADMIN_TOKEN'),
      readsOpen: read.boolean('AUTH_READS_OPEN', true),
    },
  );
  if (config.delivery.spoolSegmentBytes > config.delivery.spoolMaxBytes) {
    read.conflict('SPOOL_SEGMENT_BYTES must not be larger than SPOOL_MAX_BYTES');
  }
  const { auth } = config;
  if (!auth.disabled && !auth.webhookSecret && !auth.webhookToken) {
    read.conflict(
      'no webhook authentication is configured: set AUTH_WEBHOOK_SECRET (HMAC signatures) or ' +
        'AUTH_WEBHOOK_TOKEN (bearer token), or AUTH_DISABLED=true to run without any (local use only)',
    );
  }
  if (read.errors.length > 0) throw new ConfigError(read.errors);
  return config;
}

function readKafkaTls(read: EnvReader): KafkaTlsSettings | undefined {
  const enabled = read.boolean('KAFKA_TLS', false);
  const tls: KafkaTlsSettings = {
    ca: read.pemFile('KAFKA_TLS_CA_FILE'),
    cert: read.pemFile('KAFKA_TLS_CERT_FILE'),
    key: read.pemFile('KAFKA_TLS_KEY_FILE'),
    keyPassword: read.secret('KAFKA_TLS_KEY_PASSWORD', 1),
    servername: read.raw('KAFKA_TLS_SERVERNAME'),
  };
  const given = Object.entries(tls)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
  if (!enabled) {
    if (given.length > 0) {
      read.conflict(
        `KAFKA_TLS_* settings are given (${given.join(', ')}) but KAFKA_TLS is not true`,
      );
    }
    return undefined;
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    read.conflict('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together: set both or neither');
  }
  return tls;
}

function readKafkaSasl(read: EnvReader): KafkaSaslSettings | undefined {
  const mechanism = read.oneOf('KAFKA_SASL_MECHANISM', 'none', SASL_MECHANISMS);
  const username = read.raw('KAFKA_SASL_USERNAME');
  const password = read.secret('KAFKA_SASL_PASSWORD', 1);
  if (mechanism === 'none') {
    if (username !== undefined || password !== undefined) {
      read.conflict('KAFKA_SASL_USERNAME/PASSWORD are given but KAFKA_SASL_MECHANISM is none');
    }
    return undefined;
  }
  if (username === undefined || password === undefined) {
    read.conflict(
      `KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`,
    );
    return undefined;
  }
  return { mechanism, username, password };
}

function trim(value: string): string {
  return value.trim();
}

function checkBrokers(value: string): string | undefined {
  const bad = value
    .split(',')
    .map(trim)
    .filter((broker) => !/^[A-Za-z0-9.\-_]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker));
  return bad.length > 0 ? 'a comma-separated list of host:port' : undefined;
}

function checkTopicName(value: string): string | undefined {
  const valid = /^[A-Za-z0-9._-]{1,249}$/.test(value) && value !== '.' && value !== '..';
  return valid ? undefined : 'a Kafka topic name: 1 to 249 of A-Z a-z 0-9 . _ -';
}

function checkClientId(value: string): string | undefined {
  return /^[A-Za-z0-9._-]{1,128}$/.test(value) ? undefined : '1 to 128 of A-Z a-z 0-9 . _ -';
}

function checkHost(value: string): string | undefined {
  return /^[A-Za-z0-9.\-:]{1,253}$/.test(value) ? undefined : 'a host name or IP address';
}

function checkPath(value: string): string | undefined {
  return value.includes('\0') ? 'a directory path' : undefined;
}

function parsePresets(value: unknown, maxPatternLength: number): PresetRuleSetting[] | string {
  const expected =
    'a JSON array of {"pattern": string, "description"?: string, "action"?: "allow" | "deny"}, ' +
    `each pattern 1 to ${maxPatternLength} characters`;
  if (!Array.isArray(value)) return expected;
  const presets: PresetRuleSetting[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return expected;
    const { pattern, description, action } = item as Record<string, unknown>;
    if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > maxPatternLength) {
      return expected;
    }
    if (description !== undefined && typeof description !== 'string') return expected;
    if (action !== undefined && action !== 'allow' && action !== 'deny') return expected;
    presets.push({ pattern, description: description ?? '', action: action ?? 'allow' });
  }
  return presets;
}
