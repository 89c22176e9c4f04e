/** Bytes one slot takes: a 64-bit digest and its expiry (Unix seconds), in typed arrays. */
export const BYTES_PER_SLOT = 12;
/** Slots for each digest it may hold: at most half the table is taken, so probes stay short. */
export const SLOTS_PER_DIGEST = 2;
/** The table starts this small and doubles as it fills, up to its capacity's size. */
const INITIAL_SLOTS = 1024;

/**
 * Up to `capacity` 64-bit digests, each until its own expiry (Unix seconds), in an open
 * addressing table of typed arrays (linear probing): a fixed `BYTES_PER_SLOT * SLOTS_PER_DIGEST`
 * bytes for each digest it may hold, allocated as it fills, and nothing for the garbage
 * collector to trace. An expired digest stays in its slot, counted as held, until an `add`
 * reuses the slot or a sweep removes it; a sweep runs only when the table is full, and at most
 * once a second while every held digest is alive.
 */
export class ExpiringDigests {
  private high: Uint32Array;
  private low: Uint32Array;
  /** 0: an empty slot. */
  private expiry: Uint32Array;
  /** Slots not empty, expired digests included. */
  private held = 0;
  /** No sweep before this second: the last one found nothing that expires sooner. */
  private nextSweepAt = 0;
  /** The soonest expiry among the digests the last sweep kept. */
  private soonestExpiry = 0;

  constructor(readonly capacity: number) {
    this.high = new Uint32Array(0);
    this.low = new Uint32Array(0);
    this.expiry = new Uint32Array(0);
    this.resize(Math.min(INITIAL_SLOTS, capacity * SLOTS_PER_DIGEST), 0);
  }

  /** Slots not empty, expired digests included until they are swept. */
  get size(): number {
    return this.held;
  }

  /** Bytes the table takes now. */
  get bytes(): number {
    return this.expiry.length * BYTES_PER_SLOT;
  }

  has(high: number, low: number, now: number): boolean {
    return this.find(high, low, now) >= 0;
  }

  /**
   * Holds the digest until `expiresAt` (Unix seconds), or says when to try again (seconds) if
   * `capacity` live digests are held. The caller checks `has` first.
   */
  add(
    high: number,
    low: number,
    expiresAt: number,
    now: number,
  ): { retryAfter: number } | undefined {
    if (this.held >= this.expiry.length / SLOTS_PER_DIGEST) this.makeRoom(now);
    if (this.held >= this.capacity) {
      return { retryAfter: Math.max(1, this.soonestExpiry - now + 1) };
    }
    const slots = this.expiry.length;
    let slot = (low >>> 0) % slots;
    // The first empty or expired slot: an expired digest's slot is taken over where it stands.
    while (this.expiry[slot] !== 0 && this.expiry[slot] >= now) slot = (slot + 1) % slots;
    if (this.expiry[slot] === 0) this.held++;
    this.high[slot] = high;
    this.low[slot] = low;
    this.expiry[slot] = expiresAt;
    if (expiresAt < this.soonestExpiry || this.soonestExpiry === 0) {
      this.soonestExpiry = expiresAt;
      this.nextSweepAt = Math.min(this.nextSweepAt, expiresAt + 1);
    }
    return undefined;
  }

  delete(high: number, low: number): void {
    const slot = this.find(high, low, 0);
    if (slot >= 0) this.removeAt(slot);
  }

  /** The slot of a digest that has not expired, or -1. */
  private find(high: number, low: number, now: number): number {
    const slots = this.expiry.length;
    for (let slot = (low >>> 0) % slots; this.expiry[slot] !== 0; slot = (slot + 1) % slots) {
      if (this.low[slot] === low >>> 0 && this.high[slot] === high >>> 0) {
        if (this.expiry[slot] >= now) return slot;
      }
    }
    return -1;
  }

  /** Grows the table up to its capacity's size; once there, sweeps the expired digests out. */
  private makeRoom(now: number): void {
    const largest = this.capacity * SLOTS_PER_DIGEST;
    if (this.expiry.length < largest) {
      this.resize(Math.min(largest, this.expiry.length * 2), now);
    } else if (now >= this.nextSweepAt) {
      this.sweep(now);
    }
  }

  /** Copies the live digests into a table of `slots` slots. */
  private resize(slots: number, now: number): void {
    const { high, low, expiry } = this;
    this.high = new Uint32Array(slots);
    this.low = new Uint32Array(slots);
    this.expiry = new Uint32Array(slots);
    this.held = 0;
    for (let slot = 0; slot < expiry.length; slot++) {
      if (expiry[slot] !== 0 && expiry[slot] >= now) {
        this.add(high[slot], low[slot], expiry[slot], now);
      }
    }
  }

  /**
   * Removes every expired digest in place, from just after an empty slot round the table, so
   * that no digest is moved back past the start of the pass.
   */
  private sweep(now: number): void {
    const slots = this.expiry.length;
    const start = this.expiry.indexOf(0);
    let soonest = Infinity;
    for (let step = 1, slot = (start + 1) % slots; step < slots;) {
      const expiresAt = this.expiry[slot];
      if (expiresAt !== 0 && expiresAt < now) {
        // The slot now holds a digest moved back from further on, or nothing: look again.
        this.removeAt(slot);
        continue;
      }
      if (expiresAt !== 0) soonest = Math.min(soonest, expiresAt);
      step++;
      slot = (slot + 1) % slots;
    }
    this.soonestExpiry = soonest;
    this.nextSweepAt = soonest === Infinity ? now : soonest + 1;
  }

  /** Empties a slot, moving back the digests after it that probing would no longer reach. */
  private removeAt(slot: number): void {
    const slots = this.expiry.length;
    let hole = slot;
    for (let next = (hole + 1) % slots; this.expiry[next] !== 0; next = (next + 1) % slots) {
      const home = this.low[next] % slots;
      const reachable = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (reachable) continue;
      this.high[hole] = this.high[next];
      this.low[hole] = this.low[next];
      this.expiry[hole] = this.expiry[next];
      hole = next;
    }
    this.expiry[hole] = 0;
    this.held--;
  }
}
