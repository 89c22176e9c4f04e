/**
 * Ids, each until its own expiry, in the order they were added (a Map iterates in insertion
 * order): the replay guard's signatures and the dedupe window's event ids. What happens when it
 * is full is the owner's choice: forget the oldest, or refuse the newcomer.
 */
export class ExpiringIds {
  /** Id → the time (in the owner's unit) after which it is forgotten. */
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.ids.size;
  }

  has(id: string, now: number): boolean {
    this.forgetExpiredOldest(now);
    return this.ids.has(id);
  }

  /** Adds `id` at the end, or moves it there with its new expiry. */
  add(id: string, expiresAt: number): void {
    this.ids.delete(id);
    this.ids.set(id, expiresAt);
  }

  delete(id: string): void {
    this.ids.delete(id);
  }

  /** Forgets the id added first, expired or not; false when there is none. */
  forgetOldest(): boolean {
    const oldest = this.ids.keys().next();
    if (oldest.done) return false;
    this.ids.delete(oldest.value);
    return true;
  }

  /**
   * Cheap enough for every call: forgets expired ids from the oldest on, up to the first live
   * one. Complete when expiries grow with insertion (one window for all); otherwise see
   * `forgetExpired`.
   */
  forgetExpiredOldest(now: number): void {
    for (const [id, expiresAt] of this.ids) {
      if (expiresAt >= now) return;
      this.ids.delete(id);
    }
  }

  /** Forgets every expired id, wherever it stands: a full pass. */
  forgetExpired(now: number): void {
    for (const [id, expiresAt] of this.ids) {
      if (expiresAt < now) this.ids.delete(id);
    }
  }
}
