import type { z } from 'zod';
import {
  integer,
  oneOf,
  SettingsGroup,
  type SettingsOf,
  text,
  type ValuesOf,
  verbatim,
} from '../config/index.js';
import { CLOUD_EVENT_SOURCE_PATTERN } from './event-envelope.js';

export const DELIVERY_MODES = ['kafka', 'spool'] as const;
export const RECORD_KEYS = ['name', 'id', 'none'] as const;
export const RECORD_FORMATS = ['kytos', 'cloudevents'] as const;

export type DeliveryMode = (typeof DELIVERY_MODES)[number];
export type RecordKey = (typeof RECORD_KEYS)[number];
export type RecordFormat = (typeof RECORD_FORMATS)[number];

const MiB = 1024 * 1024;
const CLOUD_EVENT_SOURCE = new RegExp(CLOUD_EVENT_SOURCE_PATTERN);

const fields = {
  DELIVERY_MODE: oneOf('kafka', DELIVERY_MODES).about(
    "`kafka` (answer `200` after Kafka's ack) or `spool` (answer `202` after an fsynced local append)",
  ),
  KAFKA_RECORD_KEY: oneOf('name', RECORD_KEYS).about('record key: `name`, `id` or `none`'),
  KAFKA_RECORD_FORMAT: oneOf('kytos', RECORD_FORMATS).about(
    '`kytos`, or `cloudevents`: the same value, with the CloudEvents attributes as `ce_` headers (CloudEvents)',
  ),
  CLOUDEVENTS_SOURCE: text('kytos', checkCloudEventsSource).about(
    '`ce_source` of the events Kytos posts (a URI-reference); a posted CloudEvent keeps its own',
  ),
  SPOOL_DIR: text('.spool', checkPath).about("the spool's folder (`spool` mode)"),
  SPOOL_SEGMENT_BYTES: integer(16 * MiB, 64 * 1024, 1024 * MiB).about(
    'size at which a new segment file is started',
  ),
  SPOOL_MAX_BYTES: integer(1024 * MiB, MiB, 1024 * 1024 * MiB).about(
    'spool size at which requests get `503`',
  ),
  SPOOL_FORWARD_LINGER_MS: integer(20, 0, 1000).about(
    'while the spool forwarder keeps up, the least time between two of its batches (`spool` mode)',
  ),
  SPOOL_FORWARD_STUCK_MS: integer(60_000, 1000, 3_600_000).about(
    "a batch the spool forwarder has sent for longer than this while Kafka answers makes it `stuck` (readiness, `kafka_events_spool_forwarder_up` 0), and its records are checked against Kafka's limits again, each this often: one Kafka can never take is set aside (`spool` mode)",
  ),
  SPOOL_SHUTDOWN_FORWARD_MS: integer(10_000, 0, 600_000).about(
    'after SIGTERM, once the last request is answered, the longest time the spool forwarder goes on forwarding while Kafka answers; what is left stays in `SPOOL_DIR` for the next start. Less than `SHUTDOWN_TIMEOUT_MS` (`spool` mode)',
  ),
  SPOOL_DRAIN_TIMEOUT_MS: integer(300_000, 1000, 86_400_000).about(
    'the deadline of the drain command `node dist/src/drain-spool.js`, which forwards a spool folder whose service is gone for good and exits (non-zero when the spool is not empty by then)',
  ),
};

/** How events become records and how they are delivered (PublisherModule's). */
export const publisherSettings = new SettingsGroup(
  'Delivery',
  fields,
  (env) => ({
    /** `kafka`: answer 200 after Kafka's ack. `spool`: answer 202 after an fsynced local append. */
    mode: env.DELIVERY_MODE,
    recordKey: env.KAFKA_RECORD_KEY,
    recordFormat: env.KAFKA_RECORD_FORMAT,
    /** ce_source of the events Kytos posts (a CloudEvent posted to the webhook keeps its own). */
    cloudEventsSource: env.CLOUDEVENTS_SOURCE,
    spoolDir: env.SPOOL_DIR,
    spoolSegmentBytes: env.SPOOL_SEGMENT_BYTES,
    spoolMaxBytes: env.SPOOL_MAX_BYTES,
    spoolForwardLingerMs: env.SPOOL_FORWARD_LINGER_MS,
    spoolForwardStuckMs: env.SPOOL_FORWARD_STUCK_MS,
    spoolShutdownForwardMs: env.SPOOL_SHUTDOWN_FORWARD_MS,
    spoolDrainTimeoutMs: env.SPOOL_DRAIN_TIMEOUT_MS,
  }),
  (env: ValuesOf<typeof fields>, ctx: z.RefinementCtx) => {
    // The segment being written counts in full until it is replaced, forwarded or not: with
    // less room than two segments, a spool Kafka has emptied could still answer 503 for ever.
    if (2 * env.SPOOL_SEGMENT_BYTES > env.SPOOL_MAX_BYTES) {
      verbatim(
        ctx,
        `SPOOL_MAX_BYTES (${env.SPOOL_MAX_BYTES}) must be at least twice SPOOL_SEGMENT_BYTES (${env.SPOOL_SEGMENT_BYTES}): the segment being written counts in full until the next one starts`,
      );
    }
  },
);

export type PublisherSettings = SettingsOf<typeof publisherSettings>;

/** A CloudEvents source is a URI-reference: no spaces or control characters, within a header. */
function checkCloudEventsSource(value: string): string | undefined {
  return CLOUD_EVENT_SOURCE.test(value)
    ? undefined
    : 'a URI-reference (1 to 1024 printable ASCII characters, no spaces), e.g. kytos or https://kytos.example.net';
}

function checkPath(value: string): string | undefined {
  return value.includes('\0') ? 'a path' : undefined;
}
