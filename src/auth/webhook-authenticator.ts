import { createHmac, type Hmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/app-config.js';
import { bearerTokenMatches } from './bearer-token.js';
import { ReplayGuard } from './replay-guard.js';
import { SIGNATURE_HEADER, sameSecret, TIMESTAMP_HEADER } from './webhook-signature.js';

/** How far into the future a sender's clock may be: a signed request cannot be prepared ahead. */
const MAX_FUTURE_SKEW_SECONDS = 30;
/** Live signatures remembered against replays: at 200 signed requests/s, a 600 s window. */
const REPLAY_CAPACITY = 120_000;

/** A signature checked as the raw body streams in, so no body is read twice or held unverified. */
export interface PendingSignature {
  update(chunk: Buffer): void;
  /** Why the request is refused, or undefined when the signature checks out and was never used. */
  verify(): string | undefined;
  /** The request did not succeed: its signature may be posted again (a sender's retry). */
  release(): void;
}

export type WebhookAdmission =
  { admitted: true; signature?: PendingSignature } | { admitted: false; reason: string };

/**
 * Only Kytos may post events: a valid bearer token (AUTH_WEBHOOK_TOKEN) or an HMAC signature
 * (AUTH_WEBHOOK_SECRET) over the body as sent. Everything that can be decided from the headers
 * is decided before a byte of the body is read; a signature is computed while the raw body
 * streams in, and only a verified body is inflated and parsed. So an unauthenticated request
 * costs the service next to nothing, whatever its body.
 */
export class WebhookAuthenticator {
  private readonly replays = new ReplayGuard(REPLAY_CAPACITY);

  constructor(private readonly auth: AppConfig['auth']) {}

  admit(request: IncomingMessage, nowSeconds = Math.floor(Date.now() / 1000)): WebhookAdmission {
    const { disabled, webhookToken, webhookSecret, maxSkewSeconds } = this.auth;
    if (disabled) return { admitted: true };
    if (webhookToken && bearerTokenMatches(request.headers.authorization, webhookToken)) {
      return { admitted: true };
    }
    if (!webhookSecret) {
      return refused('a valid bearer token is required (Authorization: Bearer <token>)');
    }
    const timestamp = header(request, TIMESTAMP_HEADER);
    const signature = header(request, SIGNATURE_HEADER);
    if (!timestamp || !signature) {
      return refused(
        `authentication required: ${webhookToken ? 'a valid bearer token, or ' : ''}the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers (missing)`,
      );
    }
    if (!/^\d{1,12}$/.test(timestamp)) return refused(`${TIMESTAMP_HEADER} must be Unix seconds`);
    const age = nowSeconds - Number(timestamp);
    if (age > maxSkewSeconds || -age > Math.min(maxSkewSeconds, MAX_FUTURE_SKEW_SECONDS)) {
      return refused(
        `${TIMESTAMP_HEADER} is outside the accepted window (${maxSkewSeconds} s back, ` +
          `${Math.min(maxSkewSeconds, MAX_FUTURE_SKEW_SECONDS)} s ahead): replayed, or a clock is off`,
      );
    }
    if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) {
      return refused(`${SIGNATURE_HEADER} must be sha256=<64 hex digits>`);
    }
    const mac: Hmac = createHmac('sha256', webhookSecret).update(`${timestamp}.`);
    const claimed = signature.toLowerCase();
    const expiresAt = Number(timestamp) + maxSkewSeconds;
    let held = false;
    return {
      admitted: true,
      signature: {
        update: (chunk) => void mac.update(chunk),
        verify: () => {
          if (!sameSecret(`sha256=${mac.digest('hex')}`, claimed)) return 'bad signature';
          const claim = this.replays.claim(claimed, expiresAt, Math.floor(Date.now() / 1000));
          if (claim === 'replayed') return 'this signed request was already accepted (replay)';
          if (claim === 'full') return 'too many signed requests in the replay window';
          held = true;
          return undefined;
        },
        release: () => {
          if (held) this.replays.release(claimed);
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
