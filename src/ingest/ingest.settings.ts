import { integer, SettingsGroup, type SettingsOf } from '../config/index.js';

const MiB = 1024 * 1024;

/** What one webhook request may hold, and the memory of published ids (IngestModule's). */
export const ingestSettings = new SettingsGroup(
  'Ingest',
  {
    INGEST_MAX_BODY_BYTES: integer(16 * MiB, 1024, 512 * MiB).about(
      'largest webhook body, after any `Content-Encoding` is undone (`413` beyond)',
    ),
    INGEST_MAX_BODIES_BYTES: integer(32 * MiB, 1024, 4096 * MiB).about(
      'most bytes of webhook bodies, decoded, being parsed, checked, serialized and published at once; past it a request waits up to 2 s, then `503` with `Retry-After` (a body larger than this is taken alone)',
    ),
    INGEST_BODY_TIMEOUT_MS: integer(30_000, 100, 600_000).about(
      'longest time a request body may take to arrive once its headers are read (`408` beyond): a slow sender holds its bytes no longer',
    ),
    INGEST_MAX_BATCH_EVENTS: integer(1000, 1, 100_000).about(
      'most events in one request (`413` beyond)',
    ),
    DEDUPE_WINDOW_SECONDS: integer(600, 0, 86_400).about(
      "how long an event id published by this instance is remembered against a sender's retry; `0`: off (see Delivery)",
    ),
    DEDUPE_MAX_IDS: integer(100_000, 1, 10_000_000).about(
      'most ids remembered (about 150 bytes each); past it the oldest leave early',
    ),
  },
  (env) => ({
    maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
    /** Most bytes of decoded webhook bodies between their decoding and their answer, together. */
    maxBodiesBytes: env.INGEST_MAX_BODIES_BYTES,
    /** Longest time to read a request body: a slow sender cannot hold its bytes for minutes. */
    bodyTimeoutMs: env.INGEST_BODY_TIMEOUT_MS,
    maxBatchEvents: env.INGEST_MAX_BATCH_EVENTS,
    /** How long a published event id is remembered against a sender's retry (0: not at all). */
    dedupeWindowSeconds: env.DEDUPE_WINDOW_SECONDS,
    /** Most ids remembered: past it the oldest leave early (bounded memory). */
    dedupeMaxIds: env.DEDUPE_MAX_IDS,
  }),
);

export type IngestSettings = SettingsOf<typeof ingestSettings>;
