/** Bytes of bodies held by a request from its decoding to its answer; give them back once. */
export interface BodyLease {
  /** Keeps only `bytes` of what was taken (the body decoded smaller than was feared). */
  shrinkTo(bytes: number): void;
  release(): void;
}

interface Waiter {
  bytes: number;
  grant: (lease: BodyLease) => void;
}

/**
 * A ceiling on the bytes of webhook bodies being decoded, parsed, checked, serialized and
 * published at once (INGEST_MAX_BODIES_BYTES): each body costs memory and event-loop time in
 * proportion to its size, and the sum of every request's is what must stay bounded. Requests
 * are let in first come, first served; one that does not get its bytes within `maxWaitMs` is
 * refused (undefined), to be answered 503. A body larger than the whole ceiling is let in alone.
 */
export class BodyBudget {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly ceiling: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Bytes held now, by every request let in. */
  get inUse(): number {
    return this.used;
  }

  /** A lease on `bytes`, at once or once others gave theirs back; undefined after maxWaitMs. */
  acquire(bytes: number): Promise<BodyLease | undefined> {
    if (this.waiting.length === 0 && this.fits(bytes)) return Promise.resolve(this.take(bytes));
    return new Promise((resolve) => {
      const waiter: Waiter = {
        bytes,
        grant: (lease) => {
          clearTimeout(timer);
          resolve(lease);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        resolve(undefined);
        // The first in line may have been all that held the others back.
        this.admitWaiting();
      }, this.maxWaitMs);
      this.waiting.push(waiter);
    });
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.ceiling;
  }

  private take(bytes: number): BodyLease {
    let held = bytes;
    this.used += held;
    const giveBack = (amount: number) => {
      held -= amount;
      this.used -= amount;
      this.admitWaiting();
    };
    return {
      shrinkTo: (smaller) => {
        if (smaller < held) giveBack(held - smaller);
      },
      release: () => giveBack(held),
    };
  }

  private admitWaiting(): void {
    for (let first = this.waiting[0]; first && this.fits(first.bytes); first = this.waiting[0]) {
      this.waiting.shift();
      first.grant(this.take(first.bytes));
    }
  }
}
