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

/** Constant-time comparison that does not leak the length either (both sides are hashed first). */
export function sameSecret(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
