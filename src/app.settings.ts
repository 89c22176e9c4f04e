import type { z } from 'zod';
import { authSettings } from './auth/index.js';
import { type Environment, loadSettings, verbatim } from './config/index.js';
import { contractSettings } from './contract/index.js';
import { filterSettings } from './filters/index.js';
import { forwardersSettings } from './forwarders/index.js';
import { httpSettings } from './http/index.js';
import { ingestSettings } from './ingest/index.js';
import { kafkaSettings } from './kafka/index.js';
import { loggingSettings } from './logging/index.js';
import { publisherSettings } from './publisher/index.js';
import { tracingSettings } from './tracing/index.js';

/** Every part of the service that has settings, in the order the settings table lists them. */
export const SETTINGS_GROUPS = {
  http: httpSettings,
  logging: loggingSettings,
  auth: authSettings,
  kafka: kafkaSettings,
  delivery: publisherSettings,
  ingest: ingestSettings,
  contract: contractSettings,
  filters: filterSettings,
  tracing: tracingSettings,
  forwarders: forwardersSettings,
};

/** Every setting of the service, read once from the environment at start. */
export type AppConfig = ReturnType<typeof loadAppConfig>;

/** Reads and checks the whole configuration; throws ConfigError listing every bad variable. */
export function loadAppConfig(env: Environment) {
  return loadSettings(env, SETTINGS_GROUPS, (values, ctx) => {
    checkTopicsApart(values, ctx);
    checkSizesFit(values, ctx);
    checkShutdownFits(values, ctx);
  });
}

/** The spool's forwarding at shutdown must end before SHUTDOWN_TIMEOUT_MS ends the process. */
function checkShutdownFits(values: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const forward = values.SPOOL_SHUTDOWN_FORWARD_MS as number;
  const shutdown = values.SHUTDOWN_TIMEOUT_MS as number;
  if (values.DELIVERY_MODE === 'spool' && forward >= shutdown) {
    verbatim(
      ctx,
      `SPOOL_SHUTDOWN_FORWARD_MS (${forward}) must be less than SHUTDOWN_TIMEOUT_MS (${shutdown}): the process would be ended in the middle of a batch; lower SPOOL_SHUTDOWN_FORWARD_MS or raise SHUTDOWN_TIMEOUT_MS`,
    );
  }
}

/**
 * Every stage must take the largest record the door lets through (KAFKA_MAX_RECORD_BYTES): a
 * stage that cannot would answer 503 to it, or keep it, for ever. The per-request remainder
 * (a request of many events larger than a stage) is refused with a 413 at the door.
 */
function checkSizesFit(values: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const limit = (name: string, why: string): void =>
    atLeast(values, ctx, name, 'KAFKA_MAX_RECORD_BYTES', why);
  // A signed body is read whole before its signature can be checked.
  atLeast(
    values,
    ctx,
    'AUTH_UNVERIFIED_BYTES_MAX',
    'INGEST_MAX_BODY_BYTES',
    'a signed body that large could never be read and would get 503 on every retry',
  );
  if (values.DELIVERY_MODE === 'kafka') {
    limit(
      'PUBLISH_MAX_QUEUED_BYTES',
      'an event that large would never find room in the publish queue and get 503 on every retry',
    );
  } else {
    limit(
      'SPOOL_MAX_BYTES',
      'an event that large would never find room in the spool and get 503 on every retry',
    );
  }
}

/** Refuses `name` below the setting `floor`, naming both and what would happen. */
function atLeast(
  values: Record<string, unknown>,
  ctx: z.RefinementCtx,
  name: string,
  floor: string,
  why: string,
): void {
  const bytes = values[name] as number;
  const least = values[floor] as number;
  if (bytes < least) {
    verbatim(
      ctx,
      `${name} (${bytes}) must be at least ${floor} (${least}): ${why}; lower ${floor} or raise ${name}`,
    );
  }
}

/** The three topics the service writes must differ: each holds what the others must not. */
function checkTopicsApart(values: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const { KAFKA_TOPIC: topic, FILTER_TOPIC: rules, KAFKA_DLQ_TOPIC: dlq } = values;
  if (topic === rules) {
    verbatim(
      ctx,
      'KAFKA_TOPIC must differ from FILTER_TOPIC: events written into the rules topic could be compacted over a rule',
    );
  }
  if (dlq !== undefined && (dlq === topic || dlq === rules)) {
    verbatim(
      ctx,
      'KAFKA_DLQ_TOPIC must differ from KAFKA_TOPIC and FILTER_TOPIC: dead letters would mix with the records they stand apart from',
    );
  }
}
