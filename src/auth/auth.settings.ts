import type { z } from 'zod';
import {
  boolean,
  fileContents,
  integer,
  optionalText,
  secret,
  SettingsGroup,
  type SettingsOf,
  type ValuesOf,
  verbatim,
} from '../config/index.js';
import { standardWebhookKey } from './webhook-signature.js';

/** How far into the future a sender's clock may be: a signed request cannot be prepared ahead. */
export const MAX_FUTURE_SKEW_SECONDS = 30;
/** The fewest signed requests a second the replay guard must hold over a whole window. */
const MIN_SIGNED_PER_SECOND = 10;

/** How long a signature stays valid, seconds: the skew back and the time ahead. */
export function replayWindowSeconds(maxSkewSeconds: number): number {
  return maxSkewSeconds + Math.min(maxSkewSeconds, MAX_FUTURE_SKEW_SECONDS);
}

const MiB = 1024 * 1024;

const fields = {
  AUTH_DISABLED: boolean(false).about(
    '`true` runs without any authentication (local use only; logged loudly)',
  ),
  AUTH_WEBHOOK_SECRET: optionalText().about(
    'HMAC-SHA256 secret of webhook signatures (16+ characters; or `AUTH_WEBHOOK_SECRET_FILE`); a `whsec_` secret must be strict base64 of 24 bytes or more',
  ),
  AUTH_WEBHOOK_SECRET_FILE: fileContents('AUTH_WEBHOOK_SECRET_FILE').about(
    'file holding `AUTH_WEBHOOK_SECRET` (a mounted secret)',
  ),
  AUTH_WEBHOOK_TOKEN: optionalText().about(
    'bearer token for the webhook (16+ characters; or `AUTH_WEBHOOK_TOKEN_FILE`)',
  ),
  AUTH_WEBHOOK_TOKEN_FILE: fileContents('AUTH_WEBHOOK_TOKEN_FILE').about(
    'file holding `AUTH_WEBHOOK_TOKEN` (a mounted secret)',
  ),
  AUTH_MAX_SKEW_SECONDS: integer(300, 1, 86_400).about(
    'signed requests older than this are refused (newer than `min(30, this)` s ahead too)',
  ),
  AUTH_REPLAY_CAPACITY: integer(1_000_000, 1_000, 50_000_000).about(
    'signed requests remembered against replays, each until its timestamp leaves the window (24 bytes each, allocated as they come); at least 10 a second over `AUTH_MAX_SKEW_SECONDS` + `min(30, AUTH_MAX_SKEW_SECONDS)`; `503` past it',
  ),
  AUTH_FAILURE_DELAY_MS: integer(1000, 0, 60_000).about(
    'how long a refused webhook request waits for its `401` (`0`: at once)',
  ),
  AUTH_UNVERIFIED_BYTES_MAX: integer(64 * MiB, 64 * 1024, 4096 * MiB).about(
    'most bytes of signed bodies held before their signature is checked, all clients together; one client holds at most `INGEST_MAX_BODY_BYTES` of them (`503` beyond)',
  ),
  AUTH_ADMIN_TOKEN: optionalText().about(
    'bearer token for rule changes (16+ characters; or `AUTH_ADMIN_TOKEN_FILE`); none: rule changes are off',
  ),
  AUTH_ADMIN_TOKEN_FILE: fileContents('AUTH_ADMIN_TOKEN_FILE').about(
    'file holding `AUTH_ADMIN_TOKEN` (a mounted secret)',
  ),
  AUTH_READS_OPEN: boolean(true).about('`false`: reading the rules needs the admin token too'),
};

type Values = ValuesOf<typeof fields>;

/** Who may post events and who may change the rules. */
export const authSettings = new SettingsGroup(
  'Authentication',
  fields,
  (env, ctx) => {
    const secrets = authSecrets(env, ctx);
    return {
      /** Explicitly no authentication (local use only); never the default. */
      disabled: env.AUTH_DISABLED,
      /** HMAC-SHA256 shared secret for webhook signatures. */
      webhookSecret: secrets.webhookSecret,
      /** The simpler alternative: a bearer token for the webhook. */
      webhookToken: secrets.webhookToken,
      /** Signed requests older or newer than this are refused (replay window). */
      maxSkewSeconds: env.AUTH_MAX_SKEW_SECONDS,
      /** Signatures held against replays at once; past it, signed requests are told to retry. */
      replayCapacity: env.AUTH_REPLAY_CAPACITY,
      /** How long a refused webhook request waits for its 401 (slows floods and guessing). */
      failureDelayMs: env.AUTH_FAILURE_DELAY_MS,
      /** Most bytes of bodies read before their sender is authenticated, all clients together. */
      unverifiedBytesMax: env.AUTH_UNVERIFIED_BYTES_MAX,
      /** Bearer token for rule management; without it, rules cannot be changed through the API. */
      adminToken: secrets.adminToken,
      /** Whether GET on the rules needs the admin token too. */
      readsOpen: env.AUTH_READS_OPEN,
    };
  },
  checkAuth,
);

export type AuthSettings = SettingsOf<typeof authSettings>;

/** The secrets, each from NAME or NAME_FILE; problems are reported, values never shown. */
function authSecrets(env: Values, ctx: z.RefinementCtx) {
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
  };
}

function checkAuth(env: Values, ctx: z.RefinementCtx): void {
  const secrets = authSecrets(env, ctx);
  checkWebhookKey(secrets.webhookSecret, ctx);
  checkReplayCapacity(env, ctx);
  if (!env.AUTH_DISABLED && !secrets.webhookSecret && !secrets.webhookToken) {
    verbatim(
      ctx,
      'no webhook authentication is configured: set AUTH_WEBHOOK_SECRET (HMAC signatures) or ' +
        'AUTH_WEBHOOK_TOKEN (bearer token), or AUTH_DISABLED=true to run without any (local use only)',
    );
  }
}

/**
 * A signature is held from its request until its timestamp leaves the window, at most the skew
 * back plus the time ahead: the capacity must hold a steady trickle of signed requests for that
 * long, or a widened window would refuse a sender that keeps to its rate.
 */
function checkReplayCapacity(env: Values, ctx: z.RefinementCtx): void {
  const window = replayWindowSeconds(env.AUTH_MAX_SKEW_SECONDS);
  const needed = MIN_SIGNED_PER_SECOND * window;
  if (env.AUTH_REPLAY_CAPACITY < needed) {
    verbatim(
      ctx,
      `AUTH_REPLAY_CAPACITY (${env.AUTH_REPLAY_CAPACITY}) holds fewer than ${MIN_SIGNED_PER_SECOND} signed requests a second over the ${window} s a signature stays valid (${env.AUTH_MAX_SKEW_SECONDS} s back, ${window - env.AUTH_MAX_SKEW_SECONDS} s ahead): set it to ${needed} or more, or narrow AUTH_MAX_SKEW_SECONDS`,
    );
  }
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
