import { createHmac, type Hmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EventMetrics } from '../metrics/index.js';
import { type AuthSettings, MAX_FUTURE_SKEW_SECONDS } from './auth.settings.js';
import { bearerTokenMatches } from './bearer-token.js';
import { ReplayGuard, ReplayWindowFullError } from './replay-guard.js';
import {
  SIGNATURE_HEADER,
  sameSecret,
  STANDARD_ID_HEADER,
  STANDARD_SIGNATURE_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  standardWebhookKey,
  TIMESTAMP_HEADER,
} from './webhook-signature.js';

/** A Standard Webhooks message id is the sender's: short and plain, it keys the replay memory. */
const STANDARD_ID = /^[\x21-\x7e]{1,256}$/;
/** Signatures one header may carry (a sender rotating keys signs with each): a few, not a flood. */
const MAX_STANDARD_SIGNATURES = 8;

/** A signature checked as the raw body streams in, so no body is read twice or held unverified. */
export interface PendingSignature {
  update(chunk: Buffer): void;
  /**
   * Why the request is refused, or undefined when the signature checks out and was never used.
   * Throws `ReplayWindowFullError` for a correct signature the replay guard has no room for.
   */
  verify(): string | undefined;
  /** The request did not succeed: its signature may be posted again (a sender's retry). */
  release(): void;
}

export type WebhookAdmission =
  { admitted: true; signature?: PendingSignature } | { admitted: false; reason: string };

/**
 * Only Kytos may post events: a valid bearer token (AUTH_WEBHOOK_TOKEN) or an HMAC signature
 * (AUTH_WEBHOOK_SECRET) over the body as sent, in this service's scheme (X-Kytos-Timestamp,
 * X-Kytos-Signature) or in the Standard Webhooks one (webhook-id, webhook-timestamp,
 * webhook-signature). Everything that can be decided from the headers
 * is decided before a byte of the body is read; a signature is computed while the raw body
 * streams in, and only a verified body is inflated and parsed. So an unauthenticated request
 * costs the service next to nothing, whatever its body.
 */
export class WebhookAuthenticator {
  private readonly replays: ReplayGuard;
  private readonly replayFull?: { inc(): void };

  constructor(
    private readonly auth: AuthSettings,
    metrics?: EventMetrics,
  ) {
    this.replays = new ReplayGuard(auth.replayCapacity);
    if (!metrics) return;
    this.replayFull = metrics.counter({
      name: 'kafka_events_replay_guard_full_total',
      help: 'Correctly signed webhook requests answered 503 because AUTH_REPLAY_CAPACITY signatures were held.',
    });
    const replays = this.replays;
    metrics.gauge({
      name: 'kafka_events_replay_guard_signatures',
      help: 'Signatures the replay guard holds (AUTH_REPLAY_CAPACITY at most), expired ones until swept.',
      collect() {
        this.set(replays.size);
      },
    });
  }

  admit(request: IncomingMessage, nowSeconds = Math.floor(Date.now() / 1000)): WebhookAdmission {
    const { disabled, webhookToken, webhookSecret } = this.auth;
    if (disabled) return { admitted: true };
    if (webhookToken && bearerTokenMatches(request.headers.authorization, webhookToken)) {
      return { admitted: true };
    }
    if (!webhookSecret) {
      return refused('a valid bearer token is required (Authorization: Bearer <token>)');
    }
    if (header(request, STANDARD_SIGNATURE_HEADER) !== undefined) {
      return this.admitStandard(request, webhookSecret, nowSeconds);
    }
    const timestamp = header(request, TIMESTAMP_HEADER);
    const signature = header(request, SIGNATURE_HEADER);
    if (!timestamp || !signature) {
      return refused(
        `authentication required: ${webhookToken ? 'a valid bearer token, or ' : ''}the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers, or the Standard Webhooks headers (missing)`,
      );
    }
    const late = this.outsideWindow(TIMESTAMP_HEADER, timestamp, nowSeconds);
    if (late) return refused(late);
    if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) {
      return refused(`${SIGNATURE_HEADER} must be sha256=<64 hex digits>`);
    }
    const claimed = signature.toLowerCase();
    return this.pending(
      createHmac('sha256', webhookSecret).update(`${timestamp}.`),
      (mac) => sameSecret(`sha256=${mac.digest('hex')}`, claimed),
      claimed,
      Number(timestamp),
    );
  }

  /**
   * Standard Webhooks: `webhook-signature` holds one or more `v1,<base64>` (a sender rotating
   * keys signs with each); one of them must be the HMAC of `<id>.<timestamp>.<body>`. The id and
   * timestamp together are accepted once within the window: a retry comes with a new timestamp.
   */
  private admitStandard(
    request: IncomingMessage,
    secret: string,
    nowSeconds: number,
  ): WebhookAdmission {
    const id = header(request, STANDARD_ID_HEADER);
    const timestamp = header(request, STANDARD_TIMESTAMP_HEADER);
    const signatures = (header(request, STANDARD_SIGNATURE_HEADER) ?? '').split(' ');
    if (!id || !STANDARD_ID.test(id)) {
      return refused(`${STANDARD_ID_HEADER} is required: 1 to 256 printable characters`);
    }
    if (!timestamp) return refused(`${STANDARD_TIMESTAMP_HEADER} is required`);
    const late = this.outsideWindow(STANDARD_TIMESTAMP_HEADER, timestamp, nowSeconds);
    if (late) return refused(late);
    const claimed = signatures
      .filter((entry) => entry.startsWith('v1,'))
      .map((entry) => entry.slice('v1,'.length));
    if (
      signatures.length > MAX_STANDARD_SIGNATURES ||
      claimed.length === 0 ||
      !claimed.every((value) => /^[A-Za-z0-9+/]{43}=$/.test(value))
    ) {
      return refused(
        `${STANDARD_SIGNATURE_HEADER} must hold 1 to ${MAX_STANDARD_SIGNATURES} space-separated v1,<base64 HMAC-SHA256>`,
      );
    }
    return this.pending(
      createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestamp}.`),
      (mac) => {
        const digest = mac.digest('base64');
        // Every candidate is compared, so the time taken does not say which one matched.
        return claimed.map((value) => sameSecret(digest, value)).includes(true);
      },
      `standard:${id}.${timestamp}`,
      Number(timestamp),
    );
  }

  /** Why a signed request's timestamp is refused, or undefined when it is within the window. */
  private outsideWindow(name: string, timestamp: string, nowSeconds: number): string | undefined {
    const { maxSkewSeconds } = this.auth;
    if (!/^\d{1,12}$/.test(timestamp)) return `${name} must be Unix seconds`;
    const age = nowSeconds - Number(timestamp);
    const ahead = Math.min(maxSkewSeconds, MAX_FUTURE_SKEW_SECONDS);
    if (age <= maxSkewSeconds && -age <= ahead) return undefined;
    return `${name} is outside the accepted window (${maxSkewSeconds} s back, ${ahead} s ahead): replayed, or a clock is off`;
  }

  /** A signature computed as the body streams in, then checked and claimed against replays. */
  private pending(
    mac: Hmac,
    matches: (mac: Hmac) => boolean,
    replayKey: string,
    timestamp: number,
  ): WebhookAdmission {
    const expiresAt = timestamp + this.auth.maxSkewSeconds;
    let held = false;
    return {
      admitted: true,
      signature: {
        update: (chunk) => void mac.update(chunk),
        verify: () => {
          if (!matches(mac)) return 'bad signature';
          const claim = this.replays.claim(replayKey, expiresAt, Math.floor(Date.now() / 1000));
          if (claim.outcome === 'replayed') {
            return 'this signed request was already accepted (replay)';
          }
          if (claim.outcome === 'full') {
            this.replayFull?.inc();
            throw new ReplayWindowFullError(claim.retryAfterSeconds);
          }
          held = true;
          return undefined;
        },
        release: () => {
          if (held) this.replays.release(replayKey);
          held = false;
        },
      },
    };
  }
}

function refused(reason: string): WebhookAdmission {
  return { admitted: false, reason };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
