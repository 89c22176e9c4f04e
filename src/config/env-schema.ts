import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { FilterRule } from '../filters/filter-rule.js';
import {
  boolean,
  fileContents,
  integer,
  json,
  oneOf,
  optionalBoolean,
  optionalText,
  pemFile,
  secret,
  text,
  verbatim,
} from './env-fields.js';
import type { PresetRuleSetting } from './settings.js';
import { standardWebhookKey } from '../auth/webhook-signature.js';

export const KAFKA_ACKS = ['all', '1', '0'] as const;
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const RECORD_KEYS = ['name', 'id', 'none'] as const;
export const RECORD_FORMATS = ['kytos', 'cloudevents'] as const;
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export const DELIVERY_MODES = ['kafka', 'spool'] as const;
export const LOG_FORMATS = ['json', 'text'] as const;
export const RULE_STORES = ['kafka', 'memory'] as const;
export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;

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
const MAX_PATTERN_LENGTH = 4096;

/**
 * Every environment variable the service reads, with its default and what it allows: the one
 * list of settings (the README's table documents the same names). Checks that involve several
 * variables follow in `checkTogether`; SPOOL_DIR is tried on the disk last.
 */
const envFields = z.object({
  HOST: text('127.0.0.1', checkHost),
  PORT: integer(8080, 0, 65535),
  LOG_LEVEL: oneOf('log', LOG_LEVELS),
  LOG_FORMAT: oneOf('json', LOG_FORMATS),
  SHUTDOWN_TIMEOUT_MS: integer(15_000, 100, 600_000),

  KAFKA_BROKERS: text('127.0.0.1:9092', checkBrokers),
  KAFKA_TLS: boolean(false),
  KAFKA_TLS_CA_FILE: pemFile('KAFKA_TLS_CA_FILE'),
  KAFKA_TLS_CERT_FILE: pemFile('KAFKA_TLS_CERT_FILE'),
  KAFKA_TLS_KEY_FILE: pemFile('KAFKA_TLS_KEY_FILE'),
  KAFKA_TLS_KEY_PASSWORD: optionalText(),
  KAFKA_TLS_KEY_PASSWORD_FILE: fileContents('KAFKA_TLS_KEY_PASSWORD_FILE'),
  KAFKA_TLS_SERVERNAME: optionalText(),
  KAFKA_SASL_MECHANISM: oneOf('none', SASL_MECHANISMS),
  KAFKA_SASL_USERNAME: optionalText(),
  KAFKA_SASL_PASSWORD: optionalText(),
  KAFKA_SASL_PASSWORD_FILE: fileContents('KAFKA_SASL_PASSWORD_FILE'),
  KAFKA_TOPIC: text('event_logs', checkTopicName),
  KAFKA_DLQ_TOPIC: optionalText(checkTopicName),
  KAFKA_CLIENT_ID: text('kafka-events', checkClientId),
  KAFKA_ACKS: oneOf('all', KAFKA_ACKS),
  KAFKA_COMPRESSION: oneOf('gzip', KAFKA_COMPRESSIONS),
  KAFKA_IDEMPOTENT: boolean(true),
  KAFKA_RECORD_KEY: oneOf('name', RECORD_KEYS),
  KAFKA_RECORD_FORMAT: oneOf('kytos', RECORD_FORMATS),
  CLOUDEVENTS_SOURCE: text('kytos', checkCloudEventsSource),
  KAFKA_RETRIES: integer(8, 0, 100),
  KAFKA_RETRY_INITIAL_MS: integer(100, 1, 60_000),
  KAFKA_RETRY_MAX_MS: integer(2_000, 1, 300_000),
  KAFKA_RETRY_DEADLINE_MS: integer(10_000, 100, 600_000),
  KAFKA_REQUEST_TIMEOUT_MS: integer(5_000, 100, 300_000),
  KAFKA_CONNECTION_TIMEOUT_MS: integer(1_000, 100, 60_000),
  KAFKA_TOPIC_PARTITIONS: integer(3, 1, 10_000),
  KAFKA_TOPIC_REPLICATION_FACTOR: integer(1, 1, 32),
  KAFKA_MAX_RECORD_BYTES: integer(16 * MiB, 1024, 256 * MiB),
  KAFKA_CHECK_INTERVAL_MS: integer(5_000, 200, 300_000),
  // By default in `kafka` mode only: a spooling instance takes events while Kafka is away.
  READY_REQUIRES_KAFKA: optionalBoolean(),

  INGEST_MAX_BODY_BYTES: integer(16 * MiB, 1024, 512 * MiB),
  INGEST_MAX_BATCH_EVENTS: integer(1000, 1, 100_000),
  RATE_LIMIT_PER_SECOND: integer(10_000, 0, 1_000_000),
  RATE_LIMIT_BURST: integer(20_000, 1, 10_000_000),
  TRUST_PROXY_HOPS: integer(0, 0, 10),
  DEDUPE_WINDOW_SECONDS: integer(600, 0, 86_400),
  DEDUPE_MAX_IDS: integer(100_000, 1, 10_000_000),

  FILTER_PRESETS: json(DEFAULT_PRESETS, parsePresets),
  FILTER_STORE: oneOf('kafka', RULE_STORES),
  FILTER_TOPIC: text('kafka_events_filters', checkTopicName),
  FILTER_SNAPSHOT_FILE: optionalText(checkPath),
  FILTER_MAX_PATTERN_LENGTH: integer(256, 1, MAX_PATTERN_LENGTH),
  FILTER_MAX_RULES: integer(1000, 1, 100_000),

  DELIVERY_MODE: oneOf('kafka', DELIVERY_MODES),
  PUBLISH_BATCH_MAX_EVENTS: integer(1000, 1, 100_000),
  PUBLISH_BATCH_MAX_BYTES: integer(MiB, 1024, 64 * MiB),
  PUBLISH_LINGER_MS: integer(5, 0, 1000),
  PUBLISH_MAX_IN_FLIGHT: integer(4, 1, 64),
  PUBLISH_MAX_QUEUED_EVENTS: integer(50_000, 1, 10_000_000),
  PUBLISH_MAX_QUEUED_BYTES: integer(128 * MiB, MiB, 4096 * MiB),
  SPOOL_DIR: text('.spool', checkPath),
  SPOOL_SEGMENT_BYTES: integer(16 * MiB, 64 * 1024, 1024 * MiB),
  SPOOL_MAX_BYTES: integer(1024 * MiB, MiB, 1024 * 1024 * MiB),
  SPOOL_FORWARD_LINGER_MS: integer(20, 0, 1000),

  AUTH_DISABLED: boolean(false),
  AUTH_WEBHOOK_SECRET: optionalText(),
  AUTH_WEBHOOK_SECRET_FILE: fileContents('AUTH_WEBHOOK_SECRET_FILE'),
  AUTH_WEBHOOK_TOKEN: optionalText(),
  AUTH_WEBHOOK_TOKEN_FILE: fileContents('AUTH_WEBHOOK_TOKEN_FILE'),
  AUTH_MAX_SKEW_SECONDS: integer(300, 1, 86_400),
  AUTH_FAILURE_DELAY_MS: integer(1000, 0, 60_000),
  AUTH_ADMIN_TOKEN: optionalText(),
  AUTH_ADMIN_TOKEN_FILE: fileContents('AUTH_ADMIN_TOKEN_FILE'),
  AUTH_READS_OPEN: boolean(true),

  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText(checkHttpUrl),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText(checkHttpUrl),
  OTEL_SERVICE_NAME: text('kafka-events', checkServiceName),
});

export type Env = z.output<typeof envFields>;

export const envSchema = envFields
  // Runs even when a variable above was refused (it then holds its default): all problems at once.
  .superRefine((env, ctx) => checkTogether(env, ctx), { when: () => true })
  // Touches the disk, so without `when`: zod skips it once a variable was refused, and a default
  // standing in for a refused SPOOL_DIR is never created. Problems across variables do not stop it.
  .superRefine((env, ctx) => {
    if (env.DELIVERY_MODE === 'spool') checkSpoolDir(env.SPOOL_DIR, ctx);
  });

/** The secrets, each from NAME or NAME_FILE; problems are reported, values never shown. */
export function secretsOf(env: Env, ctx: z.RefinementCtx) {
  return {
    webhookSecret: secret(
      ctx,
      'AUTH_WEBHOOK_SECRET',
      env.AUTH_WEBHOOK_SECRET,
      env.AUTH_WEBHOOK_SECRET_FILE,
    ),
    webhookToken: secret(
      ctx,
      'AUTH_WEBHOOK_TOKEN',
      env.AUTH_WEBHOOK_TOKEN,
      env.AUTH_WEBHOOK_TOKEN_FILE,
    ),
    adminToken: secret(ctx, 'AUTH_ADMIN_TOKEN', env.AUTH_ADMIN_TOKEN, env.AUTH_ADMIN_TOKEN_FILE),
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

function checkTogether(env: Env, ctx: z.RefinementCtx): void {
  const secrets = secretsOf(env, ctx);
  if (env.KAFKA_IDEMPOTENT && env.KAFKA_ACKS !== 'all') {
    verbatim(
      ctx,
      `KAFKA_IDEMPOTENT=true needs KAFKA_ACKS=all (got ${env.KAFKA_ACKS}): an idempotent producer ` +
        'only guarantees no duplicates when every in-sync replica acknowledges; set KAFKA_IDEMPOTENT=false to use acks 1 or 0',
    );
  }
  if (env.KAFKA_TOPIC === env.FILTER_TOPIC) {
    verbatim(
      ctx,
      'KAFKA_TOPIC must differ from FILTER_TOPIC: events written into the rules topic could be compacted over a rule',
    );
  }
  checkWebhookKey(secrets.webhookSecret, ctx);
  const dlq = env.KAFKA_DLQ_TOPIC;
  if (dlq !== undefined && (dlq === env.KAFKA_TOPIC || dlq === env.FILTER_TOPIC)) {
    verbatim(
      ctx,
      'KAFKA_DLQ_TOPIC must differ from KAFKA_TOPIC and FILTER_TOPIC: dead letters would mix with the records they stand apart from',
    );
  }
  if (env.KAFKA_RETRY_INITIAL_MS > env.KAFKA_RETRY_MAX_MS) {
    verbatim(ctx, 'KAFKA_RETRY_INITIAL_MS must not be larger than KAFKA_RETRY_MAX_MS');
  }
  if (env.SPOOL_SEGMENT_BYTES > env.SPOOL_MAX_BYTES) {
    verbatim(ctx, 'SPOOL_SEGMENT_BYTES must not be larger than SPOOL_MAX_BYTES');
  }
  if (!env.AUTH_DISABLED && !secrets.webhookSecret && !secrets.webhookToken) {
    verbatim(
      ctx,
      'no webhook authentication is configured: set AUTH_WEBHOOK_SECRET (HMAC signatures) or ' +
        'AUTH_WEBHOOK_TOKEN (bearer token), or AUTH_DISABLED=true to run without any (local use only)',
    );
  }
  checkTls(env, ctx);
  checkSasl(env, secrets.saslPassword, ctx);
  checkPresets(env, ctx);
}

/** A Standard Webhooks `whsec_` secret must be a key, not whatever a lenient base64 decode keeps of it. */
function checkWebhookKey(secret: string | undefined, ctx: z.RefinementCtx): void {
  if (secret === undefined) return;
  try {
    standardWebhookKey(secret);
  } catch (error) {
    verbatim(ctx, `AUTH_WEBHOOK_SECRET: ${(error as Error).message}`);
  }
}

function checkTls(env: Env, ctx: z.RefinementCtx): void {
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

function checkSasl(env: Env, password: string | undefined, ctx: z.RefinementCtx): void {
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

/** A preset must compile like any rule (FILTER_MAX_PATTERN_LENGTH is the API's limit, not the operator's). */
function checkPresets(env: Env, ctx: z.RefinementCtx): void {
  for (const { pattern } of env.FILTER_PRESETS) {
    try {
      FilterRule.create(pattern, '', false);
    } catch (error) {
      verbatim(
        ctx,
        `FILTER_PRESETS has a pattern that does not compile (${JSON.stringify(pattern)}): ${(error as Error).message}`,
      );
    }
  }
}

/** The spool must be a directory this process can create and write, or nothing could be taken. */
function checkSpoolDir(dir: string, ctx: z.RefinementCtx): void {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK | constants.R_OK | constants.X_OK);
  } catch (error) {
    verbatim(
      ctx,
      `SPOOL_DIR=${JSON.stringify(dir)} cannot be used: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
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

function checkTopicName(value: string): string | undefined {
  const valid = /^[A-Za-z0-9._-]{1,249}$/.test(value) && value !== '.' && value !== '..';
  return valid ? undefined : 'a Kafka topic name: 1 to 249 of A-Z a-z 0-9 . _ -';
}

/** A CloudEvents source is a URI-reference: no spaces or control characters, within a header. */
function checkCloudEventsSource(value: string): string | undefined {
  return /^[\x21-\x7e]{1,1024}$/.test(value)
    ? undefined
    : 'a URI-reference (1 to 1024 printable ASCII characters, no spaces), e.g. kytos or https://kytos.example.net';
}

function checkHttpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '')
      return undefined;
  } catch {
    // Not a URL at all: the same answer.
  }
  return 'an http:// or https:// URL (the OTLP/HTTP collector)';
}

function checkServiceName(value: string): string | undefined {
  return /^[\x20-\x7e]{1,255}$/.test(value) ? undefined : '1 to 255 printable ASCII characters';
}

function checkClientId(value: string): string | undefined {
  return /^[A-Za-z0-9._-]{1,128}$/.test(value) ? undefined : '1 to 128 of A-Z a-z 0-9 . _ -';
}

function checkHost(value: string): string | undefined {
  return /^[A-Za-z0-9.\-:]{1,253}$/.test(value) ? undefined : 'a host name or IP address';
}

function checkPath(value: string): string | undefined {
  return value.includes('\0') ? 'a path' : undefined;
}

function parsePresets(value: unknown): PresetRuleSetting[] | string {
  const expected =
    'a JSON array of {"pattern": string, "description"?: string, "action"?: "allow" | "deny"}, ' +
    `each pattern 1 to ${MAX_PATTERN_LENGTH} characters`;
  if (!Array.isArray(value)) return expected;
  const presets: PresetRuleSetting[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return expected;
    const { pattern, description, action } = item as Record<string, unknown>;
    if (
      typeof pattern !== 'string' ||
      pattern.length === 0 ||
      pattern.length > MAX_PATTERN_LENGTH
    ) {
      return expected;
    }
    if (description !== undefined && typeof description !== 'string') return expected;
    if (action !== undefined && action !== 'allow' && action !== 'deny') return expected;
    presets.push({ pattern, description: description ?? '', action: action ?? 'allow' });
  }
  return presets;
}
