import type { z } from 'zod';
import { Env, envSchema, secretsOf } from './env-schema.js';
import type {
  AuthSettings,
  DeliverySettings,
  FilterSettings,
  IngestSettings,
  KafkaSettings,
  LogFormat,
  LogLevel,
  TracingSettings,
} from './settings.js';

export { DEFAULT_PRESETS, LOG_LEVELS } from './env-schema.js';
export type * from './settings.js';

/** Every setting of the service, read once from the environment at start (see envSchema). */
export class AppConfig {
  readonly host!: string;
  readonly port!: number;
  readonly logLevel!: LogLevel;
  /** `json`: one JSON object per line, for log collectors; `text`: Nest's coloured lines, for people. */
  readonly logFormat!: LogFormat;
  readonly shutdownTimeoutMs!: number;
  readonly kafka!: KafkaSettings;
  readonly ingest!: IngestSettings;
  readonly filters!: FilterSettings;
  readonly delivery!: DeliverySettings;
  readonly auth!: AuthSettings;
  readonly tracing!: TracingSettings;

  constructor(settings: AppConfig) {
    Object.assign(this, settings);
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the whole configuration; throws ConfigError listing every bad variable. */
export function loadAppConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  // A value that is set but blank counts as unset: `FOO=` in a compose file means "default".
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') given[name] = value.trim();
  }
  const parsed = envSchema.transform(toAppConfig).safeParse(given);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => explain(i, given)));
  return parsed.data;
}

function explain(issue: z.core.$ZodIssue, env: Record<string, string>): string {
  const { verbatim } = (issue as { params?: { verbatim?: boolean } }).params ?? {};
  const [name] = issue.path;
  if (verbatim || typeof name !== 'string') return issue.message;
  const value = env[name] ?? '';
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return `${name}=${JSON.stringify(shown)} is not allowed: expected ${issue.message}`;
}

/** Runs only once every variable checked out: arranges them into AppConfig's named groups. */
function toAppConfig(env: Env, ctx: z.RefinementCtx): AppConfig {
  const secrets = secretsOf(env, ctx);
  const sasl =
    env.KAFKA_SASL_MECHANISM === 'none'
      ? undefined
      : {
          mechanism: env.KAFKA_SASL_MECHANISM,
          username: env.KAFKA_SASL_USERNAME ?? '',
          password: secrets.saslPassword ?? '',
        };
  return new AppConfig({
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    kafka: {
      brokers: env.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
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
      recordKey: env.KAFKA_RECORD_KEY,
      recordFormat: env.KAFKA_RECORD_FORMAT,
      cloudEventsSource: env.CLOUDEVENTS_SOURCE,
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
      requiredForReadiness: env.READY_REQUIRES_KAFKA ?? env.DELIVERY_MODE === 'kafka',
    },
    ingest: {
      maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
      maxBatchEvents: env.INGEST_MAX_BATCH_EVENTS,
      rateLimitPerSecond: env.RATE_LIMIT_PER_SECOND,
      rateLimitBurst: env.RATE_LIMIT_BURST,
      trustProxyHops: env.TRUST_PROXY_HOPS,
      dedupeWindowSeconds: env.DEDUPE_WINDOW_SECONDS,
      dedupeMaxIds: env.DEDUPE_MAX_IDS,
    },
    filters: {
      presets: env.FILTER_PRESETS,
      store: env.FILTER_STORE,
      topic: env.FILTER_TOPIC,
      snapshotFile: env.FILTER_SNAPSHOT_FILE,
      maxPatternLength: env.FILTER_MAX_PATTERN_LENGTH,
      maxRules: env.FILTER_MAX_RULES,
    },
    delivery: {
      mode: env.DELIVERY_MODE,
      batch: {
        maxEvents: env.PUBLISH_BATCH_MAX_EVENTS,
        maxBytes: env.PUBLISH_BATCH_MAX_BYTES,
        lingerMs: env.PUBLISH_LINGER_MS,
        maxInFlight: env.PUBLISH_MAX_IN_FLIGHT,
        maxQueuedEvents: env.PUBLISH_MAX_QUEUED_EVENTS,
        maxQueuedBytes: env.PUBLISH_MAX_QUEUED_BYTES,
      },
      spoolDir: env.SPOOL_DIR,
      spoolSegmentBytes: env.SPOOL_SEGMENT_BYTES,
      spoolMaxBytes: env.SPOOL_MAX_BYTES,
      spoolForwardLingerMs: env.SPOOL_FORWARD_LINGER_MS,
    },
    auth: {
      disabled: env.AUTH_DISABLED,
      webhookSecret: secrets.webhookSecret,
      webhookToken: secrets.webhookToken,
      maxSkewSeconds: env.AUTH_MAX_SKEW_SECONDS,
      failureDelayMs: env.AUTH_FAILURE_DELAY_MS,
      adminToken: secrets.adminToken,
      readsOpen: env.AUTH_READS_OPEN,
    },
    tracing: {
      // The OpenTelemetry names: the signal's own endpoint, else the base one with its path.
      otlpTracesEndpoint:
        env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (env.OTEL_EXPORTER_OTLP_ENDPOINT &&
          `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`),
      serviceName: env.OTEL_SERVICE_NAME,
    },
  });
}
