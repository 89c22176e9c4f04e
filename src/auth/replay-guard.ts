import { ExpiringIds } from '../common/expiring-ids.js';

/**
 * Remembers the signatures of accepted webhook requests until their timestamp leaves the
 * window, so a captured request cannot be posted again while it would still check out. A
 * signature is claimed when its request starts and released if that request does not succeed,
 * so a sender's retry of a failed request is not mistaken for a replay. Bounded: when full of
 * live signatures, new ones are refused rather than old ones forgotten (forgetting would reopen
 * the replay). Per process: replicas do not share it.
 */
export class ReplayGuard {
  /** Signatures, each until the Unix second after which it can no longer check out. */
  private readonly seen = new ExpiringIds();

  constructor(private readonly capacity: number) {}

  /** 'claimed', 'replayed' (already accepted or in progress), or 'full'. */
  claim(signature: string, expiresAt: number, nowSeconds: number): 'claimed' | 'replayed' | 'full' {
    if (this.seen.has(signature, nowSeconds)) return 'replayed';
    // Timestamps within the skew arrive out of order: a full pass before refusing anyone.
    if (this.seen.size >= this.capacity) this.seen.forgetExpired(nowSeconds);
    if (this.seen.size >= this.capacity) return 'full';
    this.seen.add(signature, expiresAt);
    return 'claimed';
  }

  release(signature: string): void {
    this.seen.delete(signature);
  }
}
