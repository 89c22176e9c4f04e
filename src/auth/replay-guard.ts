import { createHash } from 'node:crypto';
import { ExpiringDigests } from '../common/index.js';

/** The longest Retry-After of a full guard: the sender comes back to look, not after the window. */
const MAX_RETRY_AFTER_SECONDS = 60;

/** A correctly signed request the replay guard has no room for: the sender should retry. */
export class ReplayWindowFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `too many signed requests in the replay window (AUTH_REPLAY_CAPACITY); retry in ${retryAfterSeconds} s`,
    );
    this.name = 'ReplayWindowFullError';
  }
}

export type ReplayClaim =
  { outcome: 'claimed' | 'replayed' } | { outcome: 'full'; retryAfterSeconds: number };

/**
 * Remembers the signatures of accepted webhook requests until their timestamp leaves the
 * window, so a captured request cannot be posted again while it would still check out. A
 * signature is claimed when its request starts and released if that request does not succeed,
 * so a sender's retry of a failed request is not mistaken for a replay. Each signature is held
 * as 64 bits of its SHA-256 (two signatures share them once in 2^64 / held: never, in practice),
 * in an `ExpiringDigests` of `capacity`. Bounded: when full of live signatures, new ones are
 * told to come back rather than old ones forgotten (forgetting would reopen the replay). Per
 * process: replicas do not share it.
 */
export class ReplayGuard {
  private readonly seen: ExpiringDigests;

  constructor(capacity: number) {
    this.seen = new ExpiringDigests(capacity);
  }

  /** Signatures held, expired ones included until they are swept. */
  get size(): number {
    return this.seen.size;
  }

  /** Bytes the guard's table takes now. */
  get bytes(): number {
    return this.seen.bytes;
  }

  claim(signature: string, expiresAt: number, nowSeconds: number): ReplayClaim {
    const [high, low] = digestOf(signature);
    if (this.seen.has(high, low, nowSeconds)) return { outcome: 'replayed' };
    const full = this.seen.add(high, low, expiresAt, nowSeconds);
    if (!full) return { outcome: 'claimed' };
    return {
      outcome: 'full',
      retryAfterSeconds: Math.min(MAX_RETRY_AFTER_SECONDS, full.retryAfter),
    };
  }

  release(signature: string): void {
    const [high, low] = digestOf(signature);
    this.seen.delete(high, low);
  }
}

function digestOf(signature: string): [number, number] {
  const digest = createHash('sha256').update(signature).digest();
  return [digest.readUInt32LE(0), digest.readUInt32LE(4)];
}
