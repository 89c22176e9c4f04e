import { ExpiringIds } from '../common/index.js';

/**
 * Event ids already published, for `windowMs`, at most `capacity` of them: a sender's retry of a
 * request whose answer it lost is recognised instead of published again. The oldest leave
 * first, whether by age or to make room.
 */
export class DedupeWindow {
  private readonly published = new ExpiringIds();
  /** Ids that left before their time to make room: the window was too small for the traffic. */
  evictedEarly = 0;

  constructor(
    private readonly windowMs: number,
    private readonly capacity: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get size(): number {
    return this.published.size;
  }

  has(id: string): boolean {
    return this.published.has(id, this.now());
  }

  remember(ids: Iterable<string>): void {
    const expiresAt = this.now() + this.windowMs;
    for (const id of ids) {
      // Its window starts again from this publication.
      this.published.delete(id);
      if (this.published.size >= this.capacity && this.published.forgetOldest()) {
        this.evictedEarly++;
      }
      this.published.add(id, expiresAt);
    }
  }
}
