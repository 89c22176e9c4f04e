/**
 * Remembers the signatures of accepted webhook requests until their timestamp leaves the
 * window, so a captured request cannot be posted again while it would still check out. A
 * signature is claimed when its request starts and released if that request does not succeed,
 * so a sender's retry of a failed request is not mistaken for a replay. Bounded: when full of
 * live signatures, new ones are refused rather than old ones forgotten (forgetting would reopen
 * the replay). Per process: replicas do not share it.
 */
export class ReplayGuard {
  /** Signature → Unix second after which it can no longer check out (insertion order ~ time). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  /** 'claimed', 'replayed' (already accepted or in progress), or 'full'. */
  claim(signature: string, expiresAt: number, nowSeconds: number): 'claimed' | 'replayed' | 'full' {
    if (this.seen.has(signature)) return 'replayed';
    this.forgetOldest(nowSeconds);
    if (this.seen.size >= this.capacity) this.forgetExpired(nowSeconds);
    if (this.seen.size >= this.capacity) return 'full';
    this.seen.set(signature, expiresAt);
    return 'claimed';
  }

  release(signature: string): void {
    this.seen.delete(signature);
  }

  /** Cheap, on every claim: the oldest entries expire first. */
  private forgetOldest(nowSeconds: number): void {
    for (const [signature, expiresAt] of this.seen) {
      if (expiresAt >= nowSeconds) return;
      this.seen.delete(signature);
    }
  }

  private forgetExpired(nowSeconds: number): void {
    for (const [signature, expiresAt] of this.seen) {
      if (expiresAt < nowSeconds) this.seen.delete(signature);
    }
  }
}
