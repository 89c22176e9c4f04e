import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-kytos-timestamp';
export const SIGNATURE_HEADER = 'x-kytos-signature';

/**
 * The webhook's signature: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the
 * shared secret, over the body as sent (before any Content-Encoding is undone). The timestamp
 * (Unix seconds) is signed too, so a captured request cannot be replayed once it falls outside
 * the window; within it, each signature is accepted once (WebhookAuthenticator).
 */
export function signWebhook(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** The Standard Webhooks headers (standardwebhooks.com), accepted beside the pair above. */
export const STANDARD_ID_HEADER = 'webhook-id';
export const STANDARD_TIMESTAMP_HEADER = 'webhook-timestamp';
export const STANDARD_SIGNATURE_HEADER = 'webhook-signature';

/**
 * The Standard Webhooks key: a `whsec_` secret is the base64 of the key's bytes; any other
 * secret is used as its UTF-8 bytes (both ends do the same).
 */
export function standardWebhookKey(secret: string): Buffer {
  if (!secret.startsWith(WHSEC_PREFIX)) return Buffer.from(secret, 'utf8');
  const encoded = secret.slice(WHSEC_PREFIX.length);
  // Node's base64 decoder skips characters it does not know and stops at the first '=': a typo
  // would silently give a short or empty key that anyone can sign with.
  if (!STRICT_BASE64.test(encoded)) {
    throw new Error('a whsec_ secret must be standard base64 (A-Z a-z 0-9 + /, padded with =)');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_WHSEC_KEY_BYTES) {
    throw new Error(
      `a whsec_ secret must decode to at least ${MIN_WHSEC_KEY_BYTES} bytes (this one gives ${key.length})`,
    );
  }
  return key;
}

const WHSEC_PREFIX = 'whsec_';
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Standard Webhooks' own libraries generate 24 to 64 random bytes. */
const MIN_WHSEC_KEY_BYTES = 24;

/** Standard Webhooks' signature: `v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<raw body>`. */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: string,
  body: Buffer | string,
): string {
  const mac = createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestamp}.`);
  return `v1,${mac.update(body).digest('base64')}`;
}

/** Constant-time comparison that does not leak the length either (both sides are hashed first). */
export function sameSecret(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
