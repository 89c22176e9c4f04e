import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-kytos-timestamp';
export const SIGNATURE_HEADER = 'x-kytos-signature';

/**
 * The webhook's signature: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the
 * shared secret. The timestamp (Unix seconds) is signed too, so a captured request cannot be
 * replayed once it falls outside the window.
 */
export function signWebhook(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Why a request's signature is refused, or undefined when it checks out. */
export function checkWebhookSignature(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: Buffer,
  nowSeconds: number,
  maxSkewSeconds: number,
): string | undefined {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) {
    return `missing ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER} header`;
  }
  if (!/^\d{1,12}$/.test(timestamp)) return `${TIMESTAMP_HEADER} must be Unix seconds`;
  if (Math.abs(nowSeconds - Number(timestamp)) > maxSkewSeconds) {
    return `${TIMESTAMP_HEADER} is more than ${maxSkewSeconds} s away from now (replayed, or a clock is off)`;
  }
  return sameSecret(signWebhook(secret, timestamp, body), signature) ? undefined : 'bad signature';
}

/** Constant-time comparison that does not leak the length either (both sides are hashed first). */
export function sameSecret(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
